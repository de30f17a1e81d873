// Serves one Node HTTP exchange with the SDK's web-standard Streamable HTTP transport, in place
// of the generic Node adapter (@hono/node-server) that the SDK's Node transport wraps it in.
// That adapter, before it writes an SSE response's headers, reads ahead and waits one timer
// tick (≥ 1 ms) for a second event: on every call. Here the headers and the priming event go
// out at once and each event follows as soon as the transport enqueues it. The request reaches
// the transport without a body: the body filter (limits/jsonBody.ts) has parsed it already.
import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { reply } from './filters.js';

export async function serveExchange(transport: WebStandardStreamableHTTPServerTransport, req: IncomingMessage, res: ServerResponse, parsedBody: unknown): Promise<void> {
  // The transport's own answer to other methods, given here: a web Request refuses TRACE.
  if (req.method !== 'GET' && req.method !== 'POST' && req.method !== 'DELETE') return reply(res, 405, -32000, 'Method not allowed.', { allow: 'GET, POST, DELETE' });
  // No AbortSignal: the sessionful transport does not read one (a dropped client cancels the stream below).
  const response = await transport.handleRequest(requestOf(req), { parsedBody });
  await writeResponse(response, res);
}

/** Writes the transport's web Response to Node's: its status, headers and body as it streams. */
export async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  const outgoing: OutgoingHttpHeaders = {};
  response.headers.forEach((value, name) => (outgoing[name] = value));
  if (res.destroyed) return void response.body?.cancel().catch(() => {});
  res.writeHead(response.status, outgoing);
  if (!response.body) return void res.end();
  const reader = response.body.getReader();
  // The client went away: the transport's stream is cancelled, as it ends a dropped SSE stream.
  res.once('close', () => void reader.cancel().catch(() => {}));
  // An event is held back only while the stream might end right after it (a call's result is
  // followed at once by the end of its stream): then both go out in one write.
  let held: Uint8Array | undefined;
  const read = () => reader.read().catch(() => ({ done: true as const, value: undefined }));
  let next = read();
  for (;;) {
    let result = held ? await Promise.race([next, new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)))]) : await next;
    if (!result) {
      write(held!);
      held = undefined;
      result = await next;
    }
    if (result.done || res.destroyed) break;
    if (held) write(held);
    held = result.value;
    next = read();
  }
  if (!res.destroyed) res.end(held);

  function write(chunk: Uint8Array): void {
    if (!res.destroyed) res.write(chunk);
  }
}

/**
 * What the transport and the session read of a request (its method and headers), without a web
 * Request: building one (its URL, Headers and AbortSignal) for every POST was a tenth of the
 * listener's own CPU with 16 sessions. The body is passed parsed; nothing reads a signal.
 */
export function requestOf(req: IncomingMessage): Request {
  return { method: req.method, url: `http://localhost${req.url ?? '/'}`, headers: new NodeHeaders(req.headers) } as unknown as Request;
}

/** Node's parsed headers (lower-case names) read the way web Headers are: get, has, forEach. */
class NodeHeaders {
  constructor(private readonly raw: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }

  forEach(visit: (value: string, name: string, headers: NodeHeaders) => void): void {
    for (const name of Object.keys(this.raw)) {
      const value = this.get(name);
      if (value !== null) visit(value, name, this);
    }
  }
}
