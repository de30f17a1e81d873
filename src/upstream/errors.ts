// Errors that cross the proxy. An upstream's own JSON-RPC error reaches the client with its
// code, message and data unchanged; failures of the link itself name the upstream.
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { asNeedsLogin } from './oauth/needsLogin.js';

/** An error the SDK sends downstream exactly as given: no "MCP error N:" prefix added twice. */
export class ForwardedError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

const MCP_PREFIX = /^MCP error -?\d+: /;

/** Turns whatever a request to an upstream threw into the error the client should see. */
export function upstreamError(upstream: string, method: string, timeoutMs: number, error: unknown, diagnosis?: string): ForwardedError {
  const why = diagnosis ? `: ${diagnosis}` : '';
  if (error instanceof McpError) {
    const message = error.message.replace(MCP_PREFIX, '');
    const data = error.data as { timeout?: number } | undefined;
    if (error.code === ErrorCode.RequestTimeout && data?.timeout !== undefined) {
      return new ForwardedError(error.code, `Upstream '${upstream}' did not answer ${method} within ${timeoutMs} ms${why}`, { upstream });
    }
    if (error.code === ErrorCode.ConnectionClosed) {
      return new ForwardedError(error.code, `Upstream '${upstream}' closed the connection during ${method}${why}`, { upstream });
    }
    return new ForwardedError(error.code, message, error.data);
  }
  if (error instanceof ForwardedError) return error;
  const needsLogin = asNeedsLogin(error);
  if (needsLogin) return new ForwardedError(ErrorCode.InternalError, needsLogin.message, { upstream, needsLogin: true, command: `mcproxy auth login ${upstream}` });
  const reason = error instanceof Error ? error.message : String(error);
  return new ForwardedError(ErrorCode.InternalError, `Upstream '${upstream}' failed ${method}: ${reason}`, { upstream });
}

/** The proxy's own McpErrors (a bad cursor, say) without the prefix the client will add again. */
export function asClientError(error: unknown): unknown {
  return error instanceof McpError ? new ForwardedError(error.code, error.message.replace(MCP_PREFIX, ''), error.data) : error;
}

export function unavailable(upstream: string, reason: string): ForwardedError {
  // Already the whole sentence, naming the upstream and the command.
  if (reason.startsWith(`Upstream '${upstream}' needs login`)) return new ForwardedError(ErrorCode.InternalError, reason, { upstream, needsLogin: true, command: `mcproxy auth login ${upstream}` });
  return new ForwardedError(ErrorCode.InternalError, `Upstream '${upstream}' is unavailable: ${reason}`, { upstream });
}

export function notFound(kind: string, name: string): ForwardedError {
  return new ForwardedError(ErrorCode.InvalidParams, `Unknown ${kind}: ${name}`);
}
