// The HTTP listener's filter chain, Envoy-style: each filter looks at a request before it is
// dispatched to a session and either lets it pass or answers it itself (401, 413, 429, ...).
// Filters are small modules under auth/ and limits/; the listener only runs the chain.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Identity } from './auth/identity.js';

export interface RequestContext {
  /** The request's URL (path and query). */
  url: URL;
  /** The listener's own endpoint URL, e.g. http://127.0.0.1:8808/mcp. */
  endpoint: URL;
  /** The Mcp-Session-Id the request names, if any. */
  sessionId?: string;
  /** Sessions open when the request arrived. */
  sessionCount: number;
  /** Who sent it, once an auth filter has said so. */
  identity?: Identity;
  /** The verified OAuth access token it came with (not an API key): for token exchange only. */
  accessToken?: string;
  /** The parsed JSON body of a POST, once the body filter has read it. */
  body?: unknown;
}

/** Returns true to pass the request on, false after answering it. */
export type HttpFilter = (req: IncomingMessage, res: ServerResponse, context: RequestContext) => boolean | Promise<boolean>;

export async function runFilters(filters: readonly HttpFilter[], req: IncomingMessage, res: ServerResponse, context: RequestContext): Promise<boolean> {
  for (const filter of filters) {
    if (!(await filter(req, res, context))) return false;
  }
  return true;
}

/** Who is asking, for rate limits: the authenticated subject, else the peer address. */
export function clientKeyOf(req: IncomingMessage, context: RequestContext): string {
  return context.identity?.subject ?? `address:${req.socket.remoteAddress ?? 'unknown'}`;
}

/** Answers with an HTTP status and a JSON-RPC error body that says why. */
export function reply(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } }));
}
