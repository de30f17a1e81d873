// Request filters, Envoy-style, around the two places a request crosses the proxy: a client's
// request as the session receives it, and each request the session sends an upstream for it.
// Metrics, call statistics and tracing are filters; the session only runs the chains.
export interface ClientRequest {
  /** The session's label (stdio, http-3) as logs name it. */
  session: string;
  method: string;
  params: Record<string, unknown>;
  id: string | number;
  transport: 'stdio' | 'http';
  /** The Mcp-Session-Id, over HTTP. */
  mcpSessionId?: string;
  protocolVersion?: string;
  /** The HTTP request's headers, over HTTP. */
  headers?: Record<string, string | string[] | undefined>;
}

export interface UpstreamCall {
  session: string;
  upstream: string;
  method: string;
  /** The params as the upstream will get them: a filter may add to `_meta` (trace context). */
  params: Record<string, unknown>;
}

/**
 * A filter reads only the outcome of what `next` resolves to (outcomeOfResult): a result the fast
 * lane passes on as the upstream wrote it resolves to a stand-in with its outcome, not the result.
 */
export type ClientRequestFilter = (request: ClientRequest, next: () => Promise<unknown>) => Promise<unknown>;
export type UpstreamCallFilter = (call: UpstreamCall, next: (call: UpstreamCall) => Promise<unknown>) => Promise<unknown>;

export interface RequestFilters {
  client: ClientRequestFilter[];
  upstream: UpstreamCallFilter[];
}

export const NO_FILTERS: RequestFilters = { client: [], upstream: [] };

/** Filters that only pass a client's trace context on (tracing.ts, without export): a request with none in its `_meta` needs them not. */
const TRACE_ONLY = new WeakSet<ClientRequestFilter | UpstreamCallFilter>();

export function traceOnly<F extends ClientRequestFilter | UpstreamCallFilter>(filter: F): F {
  TRACE_ONLY.add(filter);
  return filter;
}

/** Whether every filter only passes trace context on (the fast lane, session/fastLane.ts, takes calls without any). */
export function onlyTraceFilters(filters: RequestFilters): boolean {
  return filters.client.every((filter) => TRACE_ONLY.has(filter)) && filters.upstream.every((filter) => TRACE_ONLY.has(filter));
}

export function runClientFilters(filters: readonly ClientRequestFilter[], request: ClientRequest, handle: () => Promise<unknown>): Promise<unknown> {
  const at = (index: number): Promise<unknown> => (index < filters.length ? filters[index](request, () => at(index + 1)) : handle());
  return at(0);
}

export function runUpstreamFilters(filters: readonly UpstreamCallFilter[], call: UpstreamCall, send: (call: UpstreamCall) => Promise<unknown>): Promise<unknown> {
  const at = (index: number, current: UpstreamCall): Promise<unknown> =>
    index < filters.length ? filters[index](current, (next) => at(index + 1, next)) : send(current);
  return at(0, call);
}

/** How a request ended, for metrics labels and span status. */
export type Outcome = 'ok' | 'tool_error' | 'error';

export function outcomeOfResult(result: unknown): Outcome {
  return (result as { isError?: unknown } | undefined)?.isError === true ? 'tool_error' : 'ok';
}

/** `error.type` per the OpenTelemetry conventions: the JSON-RPC error code, else the error's class. */
export function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'number') return String(code);
  return error instanceof Error ? error.constructor.name : 'unknown';
}
