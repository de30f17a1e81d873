// A client request as the request filters (metrics, tracing) see it: the SDK's request and
// handler context turned into the project's own plain shape (src/telemetry/filters.ts).
import { PROTOCOL_VERSION_META_KEY, type ServerContext } from '@modelcontextprotocol/server';
import type { ClientRequest } from '../telemetry/filters.js';

export function describeRequest(session: string, transport: 'stdio' | 'http', request: { method: string; params?: unknown }, ctx: ServerContext): ClientRequest {
  const params = (request.params ?? {}) as Record<string, unknown>;
  // 2026-07-28 clients say their protocol version in each request's `_meta` (the SDK lifts it
  // into the envelope); 2025 ones once, in the HTTP header of every later request.
  const meta = { ...ctx.mcpReq._meta, ...(params._meta as Record<string, unknown> | undefined) };
  const headers = headerRecord(ctx.http?.req?.headers);
  const version = (ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[PROTOCOL_VERSION_META_KEY] ?? meta[PROTOCOL_VERSION_META_KEY] ?? headers?.['mcp-protocol-version'];
  return {
    session,
    method: request.method,
    // The trace context may sit in `_meta` either way: the filters read it from here.
    params: Object.keys(meta).length > 0 ? { ...params, _meta: meta } : params,
    id: ctx.mcpReq.id,
    transport,
    ...(ctx.sessionId && { mcpSessionId: ctx.sessionId }),
    ...(headers && { headers }),
    ...(typeof version === 'string' && { protocolVersion: version }),
  };
}

export function headerRecord(headers: Headers | undefined): Record<string, string> | undefined {
  if (!headers) return undefined;
  const record: Record<string, string> = {};
  headers.forEach((value, key) => (record[key] = value));
  return record;
}
