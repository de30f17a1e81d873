// A client request as the request filters (metrics, tracing) see it: the SDK's request and
// handler extras turned into the project's own plain shape (src/telemetry/filters.ts).
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { ClientRequest } from '../telemetry/filters.js';

export function describeRequest(
  session: string,
  transport: 'stdio' | 'http',
  request: { method: string; params?: unknown },
  extra: RequestHandlerExtra<ServerRequest, ServerNotification>,
): ClientRequest {
  const headers = extra.requestInfo?.headers;
  const version = headers?.['mcp-protocol-version'];
  return {
    session,
    method: request.method,
    params: (request.params ?? {}) as Record<string, unknown>,
    id: extra.requestId,
    transport,
    ...(extra.sessionId && { mcpSessionId: extra.sessionId }),
    ...(headers && { headers }),
    ...(typeof version === 'string' && { protocolVersion: version }),
  };
}
