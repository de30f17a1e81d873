// The running proxy's control socket: `mcproxy reload` and `mcproxy restart UPSTREAM` talk to
// it. One JSON line in ({"command":"reload"} or {"command":"restart","upstream":NAME}), one
// JSON line out ({"ok":true|false,"message":...}). Only the user who runs the proxy can reach
// it: the socket file is created with mode 0600.
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createServer, type Server } from 'node:net';
import { log } from '../log.js';

export type ControlRequest = { command: 'reload' } | { command: 'restart'; upstream: string };
export interface ControlAnswer {
  ok: boolean;
  message: string;
}

export type ControlHandler = (request: ControlRequest) => Promise<ControlAnswer>;

/** Longest request line accepted: commands are tiny. */
const MAX_LINE = 4_096;

export async function startControlServer(socket: string, handle: ControlHandler): Promise<() => Promise<void>> {
  if (process.platform !== 'win32') {
    mkdirSync(path.dirname(socket), { recursive: true });
    rmSync(socket, { force: true });
  }
  const server: Server = createServer((connection) => {
    let buffer = '';
    connection.setEncoding('utf8');
    connection.on('error', () => {});
    connection.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_LINE) return void connection.end(answerLine({ ok: false, message: 'request too long' }));
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      const line = buffer.slice(0, newline);
      connection.pause();
      void answer(line, handle).then((reply) => connection.end(answerLine(reply)));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => resolve());
  });
  if (process.platform !== 'win32') chmodSync(socket, 0o600);
  server.unref();
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      if (process.platform !== 'win32') rmSync(socket, { force: true });
    });
}

async function answer(line: string, handle: ControlHandler): Promise<ControlAnswer> {
  let request: ControlRequest;
  try {
    request = parseRequest(JSON.parse(line));
  } catch (error) {
    return { ok: false, message: `bad request: ${(error as Error).message}` };
  }
  try {
    return await handle(request);
  } catch (error) {
    log.error(`control: ${request.command} failed: ${(error as Error).stack ?? String(error)}`);
    return { ok: false, message: `${request.command} failed: ${(error as Error).message}` };
  }
}

function parseRequest(value: unknown): ControlRequest {
  const request = value as { command?: unknown; upstream?: unknown } | null;
  if (request?.command === 'reload') return { command: 'reload' };
  if (request?.command === 'restart' && typeof request.upstream === 'string') return { command: 'restart', upstream: request.upstream };
  throw new Error('expected {"command":"reload"} or {"command":"restart","upstream":NAME}');
}

function answerLine(answer: ControlAnswer): string {
  return JSON.stringify(answer) + '\n';
}
