// A client request as the request filters (metrics, tracing) see it: the SDK's request and
// handler context turned into the project's own plain shape (src/telemetry/filters.ts).
import { PROTOCOL_VERSION_META_KEY, type RequestId, type ServerContext } from '@modelcontextprotocol/server';
import type { ClientRequest } from '../telemetry/filters.js';

/** What describes a request besides its method and params: the SDK's handler context has it; the fast lane reads it off the transport. */
export interface RequestSource {
  id: RequestId;
  /** `_meta` as the SDK lifted it out of the params (the fast lane has it in the params). */
  meta?: Record<string, unknown>;
  /** A 2026-07-28 request's envelope. */
  envelope?: unknown;
  /** The HTTP request's headers, over HTTP. */
  headers?: Headers;
  sessionId?: string;
}

export function describeRequest(session: string, transport: 'stdio' | 'http', request: { method: string; params?: unknown }, ctx: ServerContext): ClientRequest {
  return describeFrom(session, transport, request, { id: ctx.mcpReq.id, meta: ctx.mcpReq._meta, envelope: ctx.mcpReq.envelope, headers: ctx.http?.req?.headers, sessionId: ctx.sessionId });
}

export function describeFrom(session: string, transport: 'stdio' | 'http', request: { method: string; params?: unknown }, source: RequestSource): ClientRequest {
  const params = (request.params ?? {}) as Record<string, unknown>;
  // 2026-07-28 clients say their protocol version in each request's `_meta` (the SDK lifts it
  // into the envelope); 2025 ones once, in the HTTP header of every later request.
  const meta = { ...source.meta, ...(params._meta as Record<string, unknown> | undefined) };
  const headers = headerRecord(source.headers);
  const version = (source.envelope as Record<string, unknown> | undefined)?.[PROTOCOL_VERSION_META_KEY] ?? meta[PROTOCOL_VERSION_META_KEY] ?? headers?.['mcp-protocol-version'];
  return {
    session,
    method: request.method,
    // The trace context may sit in `_meta` either way: the filters read it from here.
    params: Object.keys(meta).length > 0 ? { ...params, _meta: meta } : params,
    id: source.id,
    transport,
    ...(source.sessionId && { mcpSessionId: source.sessionId }),
    ...(headers && { headers }),
    ...(typeof version === 'string' && { protocolVersion: version }),
  };
}

function headerRecord(headers: Headers | undefined): Record<string, string> | undefined {
  if (!headers) return undefined;
  const record: Record<string, string> = {};
  headers.forEach((value, key) => (record[key] = value));
  return record;
}
