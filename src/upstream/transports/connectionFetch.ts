// The HTTP side of one remote upstream connection: its own undici dispatchers, so that no
// session's connection can take sockets from another's, and explicit bounds on what it holds
// open. Streams (GET: the server's own stream, resumed streams) and requests (POSTs of a
// JSON-RPC request, each open until its response, often an SSE stream, ends) are counted apart:
// a server stream held for a whole session never takes a request's place. At a bound the
// request fails at once with an error naming the upstream; nothing waits in a hidden queue.
// Replies (the proxy's answers to the server's requests, notifications, DELETE) are answered at
// once with 202, and have sockets of their own: a sampling answer must get through while the
// call that asked for it holds its request socket.
import type { FetchLike, RequestId } from '@modelcontextprotocol/server';
import type { Agent } from 'undici';
import { StreamOrigins } from './streamOrigins.js';
import { traceHeadersOf } from '../../telemetry/traceContext.js';

export interface ConnectionLimits {
  maxRequests: number;
  maxStreams: number;
}

type Bounded = 'requests' | 'streams';
type Kind = Bounded | 'replies';

const LIMIT_KEY: Record<Bounded, keyof ConnectionLimits> = { requests: 'maxRequests', streams: 'maxStreams' };
const REPLY_SOCKETS = 4;

export class ConnectionFetch {
  /** Which call each server→client request arrived with. */
  readonly origins = new StreamOrigins();
  /** Made at the first request: undici is imported only by a proxy with a remote upstream. */
  private agents?: Promise<{ pools: Record<Kind, Agent>; fetch: typeof import('undici').fetch }>;
  private readonly open: Record<Kind, number> = { requests: 0, streams: 0, replies: 0 };

  constructor(
    private readonly upstream: string,
    private readonly limits: ConnectionLimits,
  ) {}

  private dispatchers() {
    this.agents ??= import('undici').then(({ Agent, fetch }) => ({
      // SSE streams stay open for as long as they are needed: no body timeout on them. The
      // counts below keep each pool under its size, so undici never queues.
      pools: {
        requests: new Agent({ keepAliveTimeout: 30_000, connections: this.limits.maxRequests, bodyTimeout: 0 }),
        streams: new Agent({ keepAliveTimeout: 30_000, connections: this.limits.maxStreams, bodyTimeout: 0 }),
        replies: new Agent({ keepAliveTimeout: 30_000, connections: REPLY_SOCKETS }),
      },
      fetch,
    }));
    return this.agents;
  }

  /** HTTP requests and streams open right now. */
  openCount(): Readonly<Record<Kind, number>> {
    return { ...this.open };
  }

  readonly fetch: FetchLike = async (url, init) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    const requestId = method === 'POST' ? requestIdOf(init?.body) : undefined;
    const kind: Kind = method === 'GET' ? 'streams' : requestId !== undefined ? 'requests' : 'replies';
    if (kind !== 'replies' && this.open[kind] >= this.limits[LIMIT_KEY[kind]]) {
      throw new Error(
        `upstream '${this.upstream}' already has ${this.limits[LIMIT_KEY[kind]]} HTTP ${kind} open, ` +
          `its \`${LIMIT_KEY[kind]}\` limit: refused rather than queued`,
      );
    }
    this.open[kind]++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.open[kind]--;
    };
    try {
      const call = kind === 'streams' ? resumedAfter(init?.headers, this.origins) : requestId;
      const { pools, fetch } = await this.dispatchers();
      const response = (await fetch(url, { ...(init as object), ...withTraceHeaders(init), dispatcher: pools[kind] } as never)) as unknown as Response;
      if (!response.body) {
        release();
        return response;
      }
      const sse = response.headers.get('content-type')?.includes('text/event-stream');
      const watched = new Response(passThrough(response.body, sse ? this.origins.watch(call) : undefined, release), {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
      Object.defineProperty(watched, 'url', { value: response.url });
      return watched;
    } catch (error) {
      release();
      throw error;
    }
  };

  /** Closes every socket of this connection. */
  async close(): Promise<void> {
    const pools: Partial<Record<Kind, Agent>> = this.agents ? (await this.agents).pools : {};
    await Promise.all(Object.values(pools).map((agent) => agent.destroy().catch(() => {})));
  }
}

/** The id of a single JSON-RPC request in a POST body, if that is what it is. */
function requestIdOf(body: unknown): RequestId | undefined {
  if (typeof body !== 'string' || !body.startsWith('{')) return undefined;
  try {
    const message = JSON.parse(body) as { id?: RequestId; method?: unknown };
    return typeof message.method === 'string' ? message.id : undefined;
  } catch {
    return undefined;
  }
}

/** For a GET that resumes a call's stream (Last-Event-ID), that call's id. */
function resumedAfter(headers: unknown, origins: StreamOrigins): RequestId | undefined {
  const lastEventId = new Headers(headers as HeadersInit | undefined).get('last-event-id');
  return lastEventId === null ? undefined : origins.callResumedAt(lastEventId);
}

/** The body as it is, with `watch` seeing each chunk first and `done` called once it ends, fails or is cancelled. */
function passThrough(body: ReadableStream<Uint8Array>, watch: ((chunk: Uint8Array) => void) | undefined, done: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: ended, value } = await reader.read();
        if (ended) {
          done();
          controller.close();
          return;
        }
        watch?.(value);
        controller.enqueue(value);
      } catch (error) {
        done();
        controller.error(error);
      }
    },
    cancel(reason) {
      done();
      return reader.cancel(reason);
    },
  });
}

/** A request's trace context (in its `_meta`) as W3C headers too, for HTTP-level tracing upstream. */
function withTraceHeaders(init: RequestInit | undefined): { headers?: Headers } {
  const carrier = traceHeadersOf(init?.body);
  if (!carrier) return {};
  const headers = new Headers(init?.headers);
  for (const [key, value] of Object.entries(carrier)) headers.set(key, value);
  return { headers };
}
