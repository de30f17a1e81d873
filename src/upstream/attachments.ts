// Which client sessions an upstream connection serves, and which of their calls are in flight
// on it. That is how what the upstream sends on its own (logs, sampling, elicitation, roots)
// finds its client, and, during a call, the call's own stream.
import type { JSONRPCRequest, Notification, RequestId, Result, RequestOptions } from '@modelcontextprotocol/server';
import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import { ForwardedError } from './errors.js';
import type { LogThreshold } from '../session/logLevel.js';

/** The downstream side of a call in flight, so that upstream messages can travel with it. */
export interface CallContext {
  sendNotification(notification: Notification): Promise<void>;
  sendRequest(request: { method: string; params?: Record<string, unknown> }, options: RequestOptions): Promise<Result>;
  /** The client's log level for this call (session/logLevel.ts); undefined: the session's. */
  logThreshold?: LogThreshold;
  /** For a 2026-07-28 client, which takes no requests: asks it in the call's next input_required result instead. */
  askClient?(request: { method: string; params?: Record<string, unknown> }, signal: AbortSignal): Promise<Result>;
  /** Told the upstream's own id for the request once it is sent (vCon recording). */
  upstreamRequestId?(id: RequestId): void;
}

/** What a client session hears from an upstream. `call` is the session's latest call in flight there, if any. */
export interface UpstreamListener<Upstream = unknown> {
  onUpstreamNotification(upstream: Upstream, notification: Notification, call?: CallContext): void;
  /** A server→client request (sampling, elicitation, roots). */
  onUpstreamRequest(upstream: Upstream, request: JSONRPCRequest, signal: AbortSignal, call?: CallContext): Promise<Result>;
  /** Connected, disconnected, or reconnected: the catalog may have changed. */
  onUpstreamStatus(upstream: Upstream): void;
}

/** A call in flight; `upstreamId` is its JSON-RPC id on the upstream connection, once sent. */
export interface InflightCall<Upstream = unknown> {
  listener: UpstreamListener<Upstream>;
  context?: CallContext;
  upstreamId?: RequestId;
}

export class Attachments<Upstream> {
  private readonly listeners = new Set<UpstreamListener<Upstream>>();
  private readonly inflight = new Set<InflightCall<Upstream>>();

  constructor(private readonly upstreamName: string) {}

  attach(listener: UpstreamListener<Upstream>): void {
    this.listeners.add(listener);
  }

  /** Detaches a listener; returns how many remain. */
  detach(listener: UpstreamListener<Upstream>): number {
    this.listeners.delete(listener);
    return this.listeners.size;
  }

  /** Marks a call in flight for `listener` until `done()`. */
  track(listener: UpstreamListener<Upstream>, context?: CallContext): { call: InflightCall<Upstream>; done: () => void } {
    const call: InflightCall<Upstream> = { listener, context };
    this.inflight.add(call);
    return { call, done: () => this.inflight.delete(call) };
  }

  status(upstream: Upstream): void {
    for (const listener of this.listeners) listener.onUpstreamStatus(upstream);
  }

  notification(upstream: Upstream, notification: Notification): void {
    for (const listener of this.listeners) listener.onUpstreamNotification(upstream, notification, this.latestCall(listener)?.context);
  }

  /**
   * A server→client request goes to the one session it can belong to: the session of the call
   * whose stream it came on (`cameWith`, the call's upstream id, when the transport shows it),
   * else the only one attached, or, on a shared upstream, the only one with a call in flight here.
   */
  request(upstream: Upstream, request: JSONRPCRequest, signal: AbortSignal, cameWith?: RequestId): Promise<Result> {
    const own = cameWith === undefined ? undefined : [...this.inflight].find((call) => call.upstreamId === cameWith);
    if (own) return own.listener.onUpstreamRequest(upstream, request, signal, own.context);
    let listener: UpstreamListener<Upstream> | undefined;
    if (this.listeners.size === 1) {
      [listener] = this.listeners;
    } else {
      const busy = new Set([...this.inflight].map((call) => call.listener));
      if (busy.size === 1) [listener] = busy;
    }
    if (!listener) {
      throw new ForwardedError(
        ProtocolErrorCode.InvalidRequest,
        `mcproxy cannot tell which client ${request.method} is for: ${this.listeners.size} sessions share upstream '${this.upstreamName}', ` +
          `${this.inflight.size === 0 ? 'none has' : 'several have'} a call in flight, and its transport does not show which call the request belongs to. ` +
          `Set \`shared: false\` on upstream '${this.upstreamName}' to give each session its own connection`,
      );
    }
    return listener.onUpstreamRequest(upstream, request, signal, this.latestCall(listener)?.context);
  }

  private latestCall(listener: UpstreamListener<Upstream>): InflightCall<Upstream> | undefined {
    let latest: InflightCall<Upstream> | undefined;
    for (const call of this.inflight) if (call.listener === listener) latest = call;
    return latest;
  }
}
