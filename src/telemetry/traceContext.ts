// W3C trace context on MCP requests: `traceparent`, `tracestate` and `baggage`, from the
// client's HTTP headers or from `params._meta` (the `_meta` ones win: they belong to this very
// message, a header to the whole HTTP request), and on to upstreams in `params._meta` (and,
// for remote upstreams, in the same HTTP headers: connectionFetch.ts). Pure functions, plus
// the async-local scope that carries a client request's context to its upstream requests.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
  baggage?: string;
}

export const TRACE_KEYS = ['traceparent', 'tracestate', 'baggage'] as const;

/** version-traceid-parentid-flags; later versions may append fields after a dash. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** Whether `value` is a traceparent W3C Trace Context accepts. */
export function isValidTraceparent(value: string): boolean {
  const match = TRACEPARENT.exec(value);
  if (!match) return false;
  const [, version, traceId, spanId, , rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return false;
  return !/^0+$/.test(traceId) && !/^0+$/.test(spanId);
}

type Headers = Record<string, string | string[] | undefined>;

const headerValue = (headers: Headers | undefined, key: string): string | undefined => {
  const value = headers?.[key];
  return Array.isArray(value) ? value.join(',') : value;
};

/**
 * The trace context a request carries, or undefined. A malformed traceparent is reported through
 * `malformed` and ignored (the next source is tried); it never fails the request.
 */
export function incomingTrace(params: Record<string, unknown>, headers: Headers | undefined, malformed: (where: string, value: string) => void): TraceCarrier | undefined {
  const meta = params._meta as Record<string, unknown> | undefined;
  const fromMeta = pick((key) => (typeof meta?.[key] === 'string' ? (meta[key] as string) : undefined), '_meta', malformed);
  const fromHeaders = pick((key) => headerValue(headers, key), 'HTTP header', malformed);
  if (fromMeta) return { ...fromMeta, ...(fromMeta.baggage === undefined && fromHeaders?.baggage !== undefined && { baggage: fromHeaders.baggage }) };
  return fromHeaders;
}

function pick(read: (key: string) => string | undefined, where: string, malformed: (where: string, value: string) => void): TraceCarrier | undefined {
  const traceparent = read('traceparent')?.trim().toLowerCase();
  if (traceparent === undefined) return undefined;
  if (!isValidTraceparent(traceparent)) {
    malformed(where, traceparent);
    return undefined;
  }
  const tracestate = read('tracestate');
  const baggage = read('baggage');
  return { traceparent, ...(tracestate && { tracestate }), ...(baggage && { baggage }) };
}

/** The params with the carrier's keys in `_meta` (replacing any there). */
export function withTraceMeta(params: Record<string, unknown>, carrier: TraceCarrier): Record<string, unknown> {
  const meta = { ...(params._meta as Record<string, unknown> | undefined) };
  for (const key of TRACE_KEYS) delete meta[key];
  return { ...params, _meta: { ...meta, ...carrier } };
}

/** The trace context of the client request being handled; `span` when spans are recorded. */
export interface TraceScope {
  carrier?: TraceCarrier;
  span?: unknown;
}

export const traceScope = new AsyncLocalStorage<TraceScope>();

/** Trace headers for an upstream HTTP POST, read from the JSON-RPC request's `_meta`. */
export function traceHeadersOf(body: unknown): TraceCarrier | undefined {
  // Cheap test first: most requests carry no trace context.
  if (typeof body !== 'string' || !body.includes('"traceparent"')) return undefined;
  try {
    const meta = (JSON.parse(body) as { params?: { _meta?: Record<string, unknown> } }).params?._meta;
    const traceparent = meta?.traceparent;
    if (typeof traceparent !== 'string' || !isValidTraceparent(traceparent)) return undefined;
    const carrier: TraceCarrier = { traceparent };
    if (typeof meta?.tracestate === 'string') carrier.tracestate = meta.tracestate;
    if (typeof meta?.baggage === 'string') carrier.baggage = meta.baggage;
    return carrier;
  } catch {
    return undefined;
  }
}
