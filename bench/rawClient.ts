// A JSON-RPC client with no SDK in it: lines out, lines in, nothing parsed but the answer's
// JSON. Beside the SDK client it shows what of a figure is the server's (or proxy's) work and
// what is the client's own validation of what it got.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { StdioServer } from '../test/helpers/upstreams.js';

export interface RawClient {
  request(method: string, params?: Record<string, unknown>): Promise<{ result?: Record<string, unknown>; error?: unknown }>;
  close(): void;
  /** The server's process id. */
  pid: number;
}

/** Spawns a stdio server and initializes it (2025-11-25) with no SDK on this side. */
export async function rawStdio(server: StdioServer): Promise<RawClient> {
  const child: ChildProcess = spawn(server.command, server.args, { stdio: ['pipe', 'pipe', 'ignore'] });
  const waiting = new Map<number, (answer: { result?: Record<string, unknown>; error?: unknown }) => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const message = JSON.parse(line) as { id?: number; result?: Record<string, unknown>; error?: unknown };
    if (typeof message.id === 'number') waiting.get(message.id)?.(message);
    waiting.delete(message.id as number);
  });
  let nextId = 0;
  const request: RawClient['request'] = (method, params = {}) =>
    new Promise((resolve) => {
      const id = ++nextId;
      waiting.set(id, resolve);
      child.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  const initialized = await request('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench-raw', version: '1' } });
  if (initialized.error) throw new Error(`initialize failed: ${JSON.stringify(initialized.error)}`);
  child.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  return { request, close: () => child.kill(), pid: child.pid! };
}

/** Every page of tools/list; returns how many tools there were. */
export async function listAllTools(client: RawClient): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const { result, error } = await client.request('tools/list', cursor === undefined ? {} : { cursor });
    if (!result) throw new Error(`tools/list failed: ${JSON.stringify(error)}`);
    count += (result.tools as unknown[]).length;
    cursor = result.nextCursor as string | undefined;
  } while (cursor !== undefined);
  return count;
}
