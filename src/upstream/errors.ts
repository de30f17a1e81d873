// Errors that cross the proxy. An upstream's own JSON-RPC error reaches the client with its
// code, message and data unchanged; failures of the link itself name the upstream.
import { ProtocolError, ProtocolErrorCode, SdkError, SdkErrorCode } from '@modelcontextprotocol/server';
import { asNeedsLogin } from './oauth/needsLogin.js';

/** The JSON-RPC codes clients have always seen for a link's own failures (the SDK's local codes are strings). */
const REQUEST_TIMEOUT = -32001;
const CONNECTION_CLOSED = -32000;

/** An error the SDK sends downstream exactly as given. */
export class ForwardedError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/**
 * An error's code as the SDK's codecs put it on the wire, in either era: -32002 (resource not
 * found) is sent as -32602. The fast lane, which answers without the SDK, answers the same.
 */
export function wireErrorCode(code: number): number {
  return code === -32002 ? -32602 : code;
}

/** Turns whatever a request to an upstream threw into the error the client should see. */
export function upstreamError(upstream: string, method: string, timeoutMs: number, error: unknown, diagnosis?: string): ForwardedError {
  const why = diagnosis ? `: ${diagnosis}` : '';
  if (error instanceof SdkError) {
    const data = error.data as { timeout?: number } | undefined;
    if (error.code === SdkErrorCode.RequestTimeout && data?.timeout !== undefined) {
      return new ForwardedError(REQUEST_TIMEOUT, `Upstream '${upstream}' did not answer ${method} within ${timeoutMs} ms${why}`, { upstream });
    }
    if (error.code === SdkErrorCode.ConnectionClosed) {
      return new ForwardedError(CONNECTION_CLOSED, `Upstream '${upstream}' closed the connection during ${method}${why}`, { upstream });
    }
  }
  // The v2 client keeps the upstream's message as it came, so it crosses unchanged.
  if (error instanceof ProtocolError) return new ForwardedError(error.code, error.message, error.data);
  if (error instanceof ForwardedError) return error;
  const needsLogin = asNeedsLogin(error);
  if (needsLogin) return new ForwardedError(ProtocolErrorCode.InternalError, needsLogin.message, { upstream, needsLogin: true, command: `mcproxy auth login ${upstream}` });
  const reason = error instanceof Error ? error.message : String(error);
  return new ForwardedError(ProtocolErrorCode.InternalError, `Upstream '${upstream}' failed ${method}: ${reason}`, { upstream });
}

/** The proxy's own ProtocolErrors (a bad cursor, say), sent as they are. */
export function asClientError(error: unknown): unknown {
  return error instanceof ProtocolError ? new ForwardedError(error.code, error.message, error.data) : error;
}

export function unavailable(upstream: string, reason: string): ForwardedError {
  // Already the whole sentence, naming the upstream and the command.
  if (reason.startsWith(`Upstream '${upstream}' needs login`)) return new ForwardedError(ProtocolErrorCode.InternalError, reason, { upstream, needsLogin: true, command: `mcproxy auth login ${upstream}` });
  return new ForwardedError(ProtocolErrorCode.InternalError, `Upstream '${upstream}' is unavailable: ${reason}`, { upstream });
}

export function notFound(kind: string, name: string): ForwardedError {
  return new ForwardedError(ProtocolErrorCode.InvalidParams, `Unknown ${kind}: ${name}`);
}

/** A name no ready upstream lists while some are still starting: likely theirs, and worth a retry. */
export function notYetListed(kind: string, name: string, starting: ReadonlyArray<{ name: string; owns: boolean; seconds: number }>): ForwardedError {
  const owner = starting.find((upstream) => upstream.owns);
  if (owner) {
    return new ForwardedError(
      ProtocolErrorCode.InternalError,
      `${kind[0]!.toUpperCase()}${kind.slice(1)} ${name} is not available yet: upstream '${owner.name}' is still starting (${owner.seconds} s so far); ` +
        `it is listed once the upstream is ready (the client hears notifications/${kind}s/list_changed)`,
      { upstream: owner.name, starting: true },
    );
  }
  const names = starting.map((upstream) => `'${upstream.name}'`).join(', ');
  return new ForwardedError(ProtocolErrorCode.InvalidParams, `Unknown ${kind}: ${name} (still starting, their ${kind}s not listed yet: ${names})`, {
    starting: starting.map((upstream) => upstream.name),
  });
}
