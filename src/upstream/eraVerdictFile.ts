// The era verdicts of `protocol: auto` upstreams, kept across runs in <data folder>/eras.json,
// so that a second start pays no probe (over stdio the probe is a whole extra process). Keys are
// hashes of how an upstream is reached (command, args, env, url, headers, credentials): no
// secret of the config reaches the file. Several proxies may share the data folder: each write
// merges with what is on disk and replaces the file in one rename. The file keeps the newest
// MAX_VERDICTS: every start reads it whole, and upstream commands that name a workspace folder
// make a new key per folder.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { log } from '../log.js';

/** What the SDK's `connect({ prior })` takes: the era, and for 2026-07-28 the server's discover result. */
export type StoredVerdict = { kind: 'legacy' } | { kind: 'modern'; discover: Record<string, unknown> };

interface FileShape {
  verdicts: Record<string, StoredVerdict & { at: string }>;
}

/** The hash a verdict is filed under: how the upstream is reached, and with which credentials. */
export function verdictKey(reach: unknown): string {
  return createHash('sha256').update(JSON.stringify(reach)).digest('hex');
}

/** Verdicts kept at most; the oldest written go first (forgetting one costs only a probe). */
export const MAX_VERDICTS = 256;

export class EraVerdictFile {
  constructor(readonly file: string) {}

  read(): Map<string, StoredVerdict> {
    const verdicts = new Map<string, StoredVerdict>();
    for (const [key, { at: _at, ...verdict }] of Object.entries(this.load().verdicts)) {
      if (verdict.kind === 'legacy' || (verdict.kind === 'modern' && typeof verdict.discover === 'object')) verdicts.set(key, verdict as StoredVerdict);
    }
    return verdicts;
  }

  /** Files `verdict` under `key` (undefined: forgets it). */
  write(key: string, verdict: StoredVerdict | undefined): void {
    try {
      const shape = this.load();
      if (verdict) shape.verdicts[key] = { ...verdict, at: new Date().toISOString() };
      else delete shape.verdicts[key];
      shape.verdicts = newest(shape.verdicts, MAX_VERDICTS);
      mkdirSync(path.dirname(this.file), { recursive: true });
      const temporary = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify(shape, null, 2)}\n`);
      renameSync(temporary, this.file);
    } catch (error) {
      // Only a cost: the next start probes again.
      log.debug(`could not keep upstream era verdicts in ${this.file}: ${(error as Error).message}`);
    }
  }

  private load(): FileShape {
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<FileShape>;
      return { verdicts: parsed.verdicts && typeof parsed.verdicts === 'object' ? parsed.verdicts : {} };
    } catch {
      return { verdicts: {} }; // none yet, or unreadable: probing again is the remedy
    }
  }
}

function newest(verdicts: FileShape['verdicts'], limit: number): FileShape['verdicts'] {
  const entries = Object.entries(verdicts);
  if (entries.length <= limit) return verdicts;
  // ISO timestamps sort as text; an entry without one is the oldest.
  entries.sort(([, a], [, b]) => String(b.at ?? '').localeCompare(String(a.at ?? '')));
  return Object.fromEntries(entries.slice(0, limit));
}
