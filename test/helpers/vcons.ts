// Reading the vCons a proxy wrote, and watching what crossed a client's transport.
import type { Transport, JSONRPCMessage } from '@modelcontextprotocol/server';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Vcon } from '../../src/vcon/types.js';
import { CLI, ROOT } from './paths.js';

/** The vCons in `dir` (<uuid>.vcon.json), oldest first. */
export function vconsIn(dir: string): Vcon[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.vcon.json'))
    .map((name) => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as Vcon)
    .sort((a, b) => a.created_at.localeCompare(b.created_at));
}

export function filesIn(dir: string, suffix: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith(suffix)) : [];
}

export function tagsOf(vcon: Vcon): string[] {
  return JSON.parse(vcon.attachments!.find((a) => a.purpose === 'tags')!.body!);
}

/** Records every message the client sends and receives; call before connecting. */
export function watchMessages(transport: Transport): JSONRPCMessage[] {
  const seen: JSONRPCMessage[] = [];
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    seen.push(message);
    return send(message, options);
  };
  let handler: Transport['onmessage'];
  Object.defineProperty(transport, 'onmessage', {
    configurable: true,
    get: () => handler,
    set: (next: Transport['onmessage']) => {
      handler = next && ((message, extra) => {
        seen.push(message);
        next(message, extra);
      });
    },
  });
  return seen;
}

/** Runs the mcproxy CLI to completion: its exit code and output. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
