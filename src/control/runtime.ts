// Where a running proxy can be found by the `mcproxy reload` and `mcproxy restart` commands:
// each one writes <data folder>/run/<pid>.json (its config file and control socket) while it
// runs, and removes it when it stops. Entries of processes that died without removing theirs
// are skipped (and cleaned up, with their sockets) by whoever reads them.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { dataDir } from '../config/locate.js';
import { isProcessAlive } from '../processAlive.js';

export interface RunningEntry {
  pid: number;
  /** The absolute path of the config it runs. */
  config: string;
  /** Its control socket (a named pipe on Windows). */
  socket: string;
  started: string;
}

export function runDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(dataDir({ env }), 'run');
}

/** Unix socket paths are limited to ~104 bytes: a deep data folder falls back to the temp folder. */
export function socketPath(pid: number, env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform === 'win32') return `\\\\.\\pipe\\mcproxy-${pid}`;
  const beside = path.join(runDir(env), `${pid}.sock`);
  if (Buffer.byteLength(beside) < 100) return beside;
  const tag = createHash('sha256').update(runDir(env)).digest('hex').slice(0, 12);
  return path.join(os.tmpdir(), `mcproxy-${tag}-${pid}.sock`);
}

/** Records this process as running `config`; returns the function that removes the record. */
export function registerRunning(entry: RunningEntry, env: NodeJS.ProcessEnv = process.env): () => void {
  const dir = runDir(env);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${entry.pid}.json`);
  writeFileSync(file, JSON.stringify(entry, null, 2) + '\n');
  return () => rmSync(file, { force: true });
}

/** The proxies running now (their process is alive), optionally only those running `config`. */
export function runningProxies(config?: string, env: NodeJS.ProcessEnv = process.env): RunningEntry[] {
  const dir = runDir(env);
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => /^\d+\.json$/.test(name));
  } catch {
    return [];
  }
  const entries: RunningEntry[] = [];
  for (const name of names) {
    try {
      const entry = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as RunningEntry;
      if (!isProcessAlive(entry.pid)) {
        rmSync(path.join(dir, name), { force: true });
        // Its socket too, which a killed proxy left behind (only the one in this folder: the entry is a file anyone could write).
        if (entry.socket === path.join(dir, `${entry.pid}.sock`)) rmSync(entry.socket, { force: true });
        continue;
      }
      if (config === undefined || path.resolve(config) === entry.config) entries.push(entry);
    } catch {
      // half-written or foreign: not ours to read
    }
  }
  return entries;
}
