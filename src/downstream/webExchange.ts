// Serves one Node HTTP exchange with the SDK's web-standard Streamable HTTP transport, in place
// of the generic Node adapter (@hono/node-server) that the SDK's Node transport wraps it in.
// That adapter, before it writes an SSE response's headers, reads ahead and waits one timer
// tick (≥ 1 ms) for a second event: on every call. Here the headers and the priming event go
// out at once and each event follows as soon as the transport enqueues it. The request reaches
// the transport without a body: the body filter (limits/jsonBody.ts) has parsed it already.
import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

export async function serveExchange(transport: WebStandardStreamableHTTPServerTransport, req: IncomingMessage, res: ServerResponse, parsedBody: unknown): Promise<void> {
  const aborted = new AbortController();
  res.once('close', () => aborted.abort());
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (value) for (const each of value) headers.append(name, each);
  }
  const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, { method: req.method, headers, signal: aborted.signal });
  const response = await transport.handleRequest(request, { parsedBody });
  const outgoing: OutgoingHttpHeaders = {};
  response.headers.forEach((value, name) => (outgoing[name] = value));
  if (res.destroyed) return void response.body?.cancel().catch(() => {});
  res.writeHead(response.status, outgoing);
  if (!response.body) return void res.end();
  const reader = response.body.getReader();
  // The client went away: the transport's stream is cancelled, as it ends a dropped SSE stream.
  res.once('close', () => void reader.cancel().catch(() => {}));
  for (;;) {
    const { done, value } = await reader.read().catch(() => ({ done: true as const, value: undefined }));
    if (done || res.destroyed) break;
    if (!res.write(value)) await new Promise<void>((resolve) => { res.once('drain', resolve); res.once('close', resolve); });
  }
  if (!res.destroyed) res.end();
}
