// The fast lane: a tools/call from a client (stdio, or a Streamable HTTP session) to a ready
// stdio upstream (a 2026-07-28 one from 2026-07-28 clients: upstream/modernUpstream.ts),
// forwarded as raw JSON-RPC with its id remapped, past the SDK's Server (request context,
// AbortController, dispatch) and Client (bookkeeping, a timer per call, result schema).
// Measured, those layers cost more than half of a call's time through the proxy. Over stdio,
// the four lists are answered from pages serialized once per catalog.
//
// It is not a second proxy: it takes only calls whose every step it does the way router.ts
// does it (route by the catalog, pinned arguments, result URIs, recording, shutdown tracking,
// the upstream's timeout, cancellation, errors worded alike) and hands everything else, and
// anything in doubt, to the SDK as before. Server→client requests, notifications and the
// upstream's answers to the SDK's own requests keep flowing through the SDK Client. The
// upstream side (ids, deadlines, the child's answers) is upstream/rawLane.ts.
import { PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/server';
import type { JSONRPCMessage, LoggingLevel, MessageExtraInfo, Notification, RequestId, RequestOptions, Result, Transport } from '@modelcontextprotocol/server';
import { exposeUri, type Catalog, type Route } from '../catalog/catalog.js';
import { injectPinned } from '../catalog/policy.js';
import { paginate } from '../catalog/paginate.js';
import { NAMESPACED_SCHEME, rewriteResultUris } from '../catalog/uris.js';
import type { CallContext } from '../upstream/attachments.js';
import type { UpstreamConnection } from '../upstream/connection.js';
import type { LaneCall, UpstreamLane } from '../upstream/rawLane.js';
import { ForwardedError, wireErrorCode } from '../upstream/errors.js';
import { LooseResult } from '../upstream/looseSchemas.js';
import { recordRoute } from '../vcon/route.js';
import { shuttingDown, type InflightRequests } from './inflight.js';
import { runFiltered, type CallObserver } from './laneFilters.js';
import { describeFrom } from './describeRequest.js';
import type { RequestFilters } from '../telemetry/filters.js';
import { TRACE_KEYS } from '../telemetry/traceContext.js';
import type { ClientSession } from './session.js';
import { LISTS } from './router.js';
import { ModernEnvelope, type ModernCall } from './modernLane.js';
import type { ResultBytesSender, SerializedSender } from '../downstream/serializedSend.js';

type Params = Record<string, unknown>;
type Message = Record<string, unknown>;

/** Whether results of an upstream may hold URIs the catalog exposes otherwise (uris.ts): always, never, or only `mcproxy://` ones. */
type UriRewrite = 'always' | 'never' | 'namespaced';

const NAMESPACED = Buffer.from(NAMESPACED_SCHEME);
/** A result holding this key (or written with `\u` escapes, which could spell it) is parsed for the filters' outcome. */
const IS_ERROR_KEY = Buffer.from('"isError"');
const UNICODE_ESCAPE = Buffer.from('\\u');
/** What the request filters get for a result passed on as bytes: its outcome, a success (outcomeOfResult). */
const SUCCESS = Object.freeze({});

type ListField = NonNullable<(typeof LISTS)[string]>;
/** Pages kept per catalog at most. */
const MAX_PAGES = 64;


/** One call in the lane, from the client's request to its response; also the call's context for what the upstream sends during it. */
class FastCall implements CallContext, LaneCall {
  upstreamId = 0;
  deadline = 0;
  upstreamRequestId?: (id: RequestId) => void;
  logThreshold: CallContext['logThreshold'];
  private untrack?: () => void;
  private leaveInflight?: () => void;
  private done = false;
  /** The request filters waiting on this call's end (laneFilters.ts), when the session runs any. */
  observer?: CallObserver;
  /** A call to a 2026-07-28 upstream: the client's request as it came, for the SDK path to take if the upstream asks for input. */
  retry?: { message: JSONRPCMessage; extra: MessageExtraInfo | undefined };

  constructor(
    private readonly lane: FastLane,
    readonly clientId: RequestId,
    private readonly upstream: UpstreamLane,
    private readonly upstreamName: string,
    private readonly uris: UriRewrite,
    private readonly catalog: Catalog,
    /** A 2026-07-28 client's call: answered in that era's shape (modernLane.ts). */
    private readonly modern?: ModernEnvelope,
  ) {
    if (modern) this.askClient = (request) => modern.refuseInput(upstreamName, request.method, (error) => this.fail(error));
  }

  askClient?: CallContext['askClient'];

  start(session: ClientSession, inflight: InflightRequests, params: Params): boolean {
    const leave = inflight.enter((reason) => this.fail(reason as ForwardedError));
    if (!leave) return false;
    this.leaveInflight = leave;
    this.logThreshold ??= session.logLevel;
    this.upstream.call(this, params);
    this.upstreamRequestId?.(this.upstreamId);
    if (!this.done) this.untrack = this.upstream.link.track(session, this, this.upstreamId);
    return true;
  }

  /** The upstream's answer, to the client under its own id. */
  settle(response: Message): void {
    const upstreamEra = this.upstream.modern;
    if (upstreamEra && !this.done) {
      // Read as the SDK Client reads a 2026-07-28 answer: its errors, its refusals, an input_required round for the SDK path (which asks the client).
      if ('error' in response) {
        const { code, message, data } = response.error as { code: number; message: string; data?: unknown };
        return this.fail(upstreamEra.error(code, message, data));
      }
      const answer = upstreamEra.answer(response.result);
      if (answer.kind === 'invalid') return this.fail(this.upstream.link.error(answer.error));
      if (answer.kind === 'input_required') return this.handOver();
      response.result = answer.result;
    }
    if (this.end()) return;
    response.id = this.clientId;
    if ('error' in response) {
      // The upstream's code, message and data, and nothing else, as the SDK path relays them (errors.ts).
      const { code, message, data } = response.error as { code: number; message: string; data?: unknown };
      response.error = { code: wireErrorCode(code), message, ...(data !== undefined && { data }) };
      this.observer?.reject(new ForwardedError(code, message, data));
    } else {
      if (this.uris !== 'never') response.result = this.exposeUris(response.result);
      if (this.modern) response.result = this.modern.result(response.result as Params);
      this.observer?.resolve(response.result);
    }
    this.lane.respond(response);
  }

  /**
   * Whether the client can have the upstream's result line as it is: a session that writes bytes
   * (recorded or not), and no URI to rewrite in it; a 2026-07-28 client's, from a 2025-11-25
   * upstream, with its era's members spliced in (modernLane.ts says which). The request filters
   * read only a result's outcome (telemetry/filters.ts): a line that cannot hold `isError` is a success.
   */
  takesBytes(line: Buffer, resultEnd: number): boolean {
    if (!this.lane.writesResultBytes || this.uris === 'always' || (this.uris === 'namespaced' && line.includes(NAMESPACED))) return false;
    if (this.observer && (line.includes(IS_ERROR_KEY) || line.includes(UNICODE_ESCAPE))) return false;
    return !this.modern || (!this.upstream.modern && this.modern.takesBytes(line, resultEnd));
  }

  /** The upstream's result line, up to its id (after the comma at `resultEnd`), to the client under its own id. */
  settleBytes(line: Buffer, resultEnd: number): void {
    if (this.end()) return;
    this.observer?.resolve(SUCCESS);
    if (!this.modern) return this.lane.respondResult(this.clientId, line.subarray(0, resultEnd + 1));
    // Up to the result's closing brace: the era's members go after its own.
    const members = line.subarray(0, resultEnd - 1);
    this.lane.respondResult(this.clientId, members, this.modern.resultBytes(members));
  }

  fail(error: ForwardedError): void {
    if (this.end()) return;
    this.observer?.reject(error);
    this.upstream.cancel(this.upstreamId, error.message);
    const { code, message, data } = error;
    this.lane.respond({ jsonrpc: '2.0', id: this.clientId, error: { code: wireErrorCode(code), message, ...(data !== undefined && { data }) } });
  }

  /**
   * The upstream asked for input (a round of a multi round-trip call): the SDK path takes the
   * client's request afresh, as if the lane had never seen it, and asks the client as it does.
   * The round the upstream answered did no work (it waits for the input), so asking again is safe.
   */
  private handOver(): void {
    if (this.end()) return;
    this.lane.handOver(this.retry!.message, this.retry!.extra);
  }

  /** The client cancelled it, or went away: the upstream is told; the client gets no answer. */
  cancel(reason: unknown): void {
    if (this.end()) return;
    this.observer?.reject(reason);
    this.upstream.cancel(this.upstreamId, reason);
  }

  /** Marks it done; true when it already was. */
  private end(): boolean {
    if (this.done) return true;
    this.done = true;
    this.lane.forget(this.clientId);
    this.untrack?.();
    this.leaveInflight?.();
    return false;
  }

  /** Resource URIs in the result become ones the client can read back through the proxy (as router.ts's forward does). */
  private exposeUris(result: unknown): unknown {
    if (this.uris === 'namespaced' && !holdsNamespacedUri(result)) return result;
    return rewriteResultUris(result, (uri) => exposeUri(this.catalog, this.upstreamName, uri));
  }

  sendNotification(notification: Notification): Promise<void> {
    return this.lane.session.server.notification(notification as never, { relatedRequestId: this.clientId });
  }

  sendRequest(request: { method: string; params?: Record<string, unknown> }, options: RequestOptions): Promise<Result> {
    return this.lane.session.server.request(request as never, LooseResult, { ...options, relatedRequestId: this.clientId });
  }
}

/**
 * The client side of the lane for one session: sees each message from the client before the
 * SDK Server does, takes the tools/call and lists it can, and writes their answers on the same transport.
 */
export class FastLane {
  private readonly calls = new Map<RequestId, FastCall>();
  /** Calls whose route is being looked up, with the client's cancellation if it came meanwhile. */
  private readonly starting = new Map<RequestId, JSONRPCMessage | undefined>();
  private transport?: Transport;
  /** Per catalog: list pages as sent, up to the id (list()). */
  private readonly pages = new WeakMap<Catalog, Map<string, Buffer>>();
  /** Per catalog: how each upstream's result URIs must be treated. */
  private readonly uriRewrites = new WeakMap<Catalog, Map<string, UriRewrite>>();
  /** A 2026-07-28 client's envelope, read and written (modernLane.ts). */
  private readonly modern: ModernEnvelope;
  /** The SDK Server's handler of the client's messages: what the lane does not take goes there. */
  private toSdk?: NonNullable<Transport['onmessage']>;
  /** What mayTake() admitted of the latest 2026-07-28 call (take() uses it, not a second look). */
  private admitted?: ModernCall;
  /** The session's catalog promise as take() last saw it resolve: calls that find it still current start at once (takeNow()). */
  private ready?: { pending: Promise<Catalog>; catalog: Catalog };

  constructor(
    readonly session: ClientSession,
    private readonly inflight: InflightRequests,
    /** Request filters to run around each call (laneFilters.ts); none when they only pass trace context on. */
    private readonly filters?: RequestFilters,
  ) {
    this.modern = new ModernEnvelope(session);
  }

  /** The client's transport with the lane in front of the SDK Server's handlers (messages reach it after the recorder's tap). */
  wrap(transport: Transport): Transport {
    this.transport = transport;
    return new Proxy(transport, {
      set: (target, property, value) => {
        if (property === 'onmessage' && typeof value === 'function') {
          const handler = value as NonNullable<Transport['onmessage']>;
          this.toSdk = handler;
          target.onmessage = (message, extra) => this.arrive(message, extra, handler);
          return true;
        }
        if (property === 'onclose' && typeof value === 'function') {
          const handler = value as () => void;
          target.onclose = () => {
            this.clientGone();
            handler();
          };
          return true;
        }
        return Reflect.set(target, property, value);
      },
    });
  }

  private arrive(message: JSONRPCMessage, extra: MessageExtraInfo | undefined, handler: NonNullable<Transport['onmessage']>): void {
    const m = message as Message;
    const kind = this.kindOf(m, extra);
    if (kind === 'call') {
      // Most calls find the catalog and the connection ready: they leave in this tick, without a promise.
      const taken = this.takeNow(m, extra);
      if (taken !== undefined) {
        if (!taken) handler(message, extra);
        return;
      }
    }
    if (kind) {
      const id = m.id as RequestId;
      this.starting.set(id, undefined);
      const decided = (taken: boolean) => {
        const cancel = this.starting.get(id);
        this.starting.delete(id);
        if (taken) return;
        handler(message, extra);
        if (cancel) handler(cancel, extra);
      };
      void (kind === 'call' ? this.take(m, extra) : this.list(m, kind)).then(decided, () => decided(false));
      return;
    }
    if (m.method === 'notifications/cancelled' && (this.calls.size > 0 || this.starting.size > 0)) {
      const params = m.params as { requestId?: RequestId; reason?: unknown } | undefined;
      const requestId = params?.requestId;
      // A cancellation that overtook its request's start is kept for it (take() and list() look).
      if (requestId !== undefined && this.starting.has(requestId)) return void this.starting.set(requestId, message);
      const call = requestId === undefined ? undefined : this.calls.get(requestId);
      if (call) return call.cancel(params!.reason);
    }
    handler(message, extra);
  }

  /** Whether the lane may answer a request: a call it may forward, a list it may answer from the catalog (written as bytes: not when recorded). */
  private kindOf(m: Message, extra: MessageExtraInfo | undefined): 'call' | ListField | undefined {
    if (m.id === undefined || this.starting.has(m.id as RequestId) || !this.open()) return undefined;
    if (m.method === 'tools/call') return this.mayTake(m.params) && !carriesTraceHeaders(extra) ? 'call' : undefined;
    const list = LISTS[m.method as string];
    return list && this.writesBytes && !this.session.speaksModern() ? list : undefined;
  }

  /** The session's client said its capabilities (initialize, or a 2026-07-28 request), and it is not shutting down. */
  private open(): boolean {
    return !this.inflight.draining && this.session.clientCapabilities() !== undefined;
  }

  /** What can be told without the catalog: params the lane forwards as router.ts would. */
  private mayTake(params: unknown): params is Params {
    if (typeof params !== 'object' || params === null) return false;
    const { name, task, _meta } = params as Params;
    if (typeof name !== 'string' || task !== undefined) return false;
    // A 2026-07-28 request's `_meta` is its envelope, read by modernLane.ts.
    if (this.session.speaksModern()) return (this.admitted = this.modern.admit(params as Params)) !== undefined;
    // Progress needs a token of the proxy's own upstream; a `_meta` protocol version is a 2026-07-28 request; trace context is the tracing filters' (telemetry/tracing.ts).
    if (_meta === undefined) return true;
    if (typeof _meta !== 'object' || _meta === null) return false;
    const meta = _meta as Params;
    return meta.progressToken === undefined && meta[PROTOCOL_VERSION_META_KEY] === undefined && TRACE_KEYS.every((key) => meta[key] === undefined);
  }

  /**
   * take() without waiting, when the session's catalog is the one the lane last saw resolved and
   * its connections are open: taken (true), the SDK's (false), or undefined: take() must wait.
   */
  private takeNow(request: Message, extra: MessageExtraInfo | undefined): boolean | undefined {
    const catalog = this.readyCatalog(this.session.catalog());
    if (!catalog) return undefined;
    const params = request.params as Params;
    const modern = this.session.speaksModern() ? this.admitted : undefined;
    if (this.session.speaksModern() && !modern) return false;
    const route = catalog.toolRoutes.get(params.name as string);
    if (!route || this.calls.has(request.id as RequestId)) return false;
    const connection = this.session.connectionNow(route.upstream);
    if (!connection) return undefined;
    try {
      return this.send(request, params, modern, catalog, route, connection, extra);
    } catch {
      return false; // as take()'s rejection: the SDK path answers
    }
  }

  /** Sends the call upstream when its route and upstream allow; false hands it to the SDK. */
  private async take(request: Message, extra: MessageExtraInfo | undefined): Promise<boolean> {
    const session = this.session;
    const params = request.params as Params;
    // What mayTake() admitted, just before (take() runs up to its first await in the same tick).
    const modern = session.speaksModern() ? this.admitted : undefined;
    if (session.speaksModern() && !modern) return false;
    const pending = session.catalog();
    const catalog = await pending;
    this.ready = { pending, catalog };
    // Only exposed names: an app's own tool names, withheld and unknown tools take the SDK path (router.ts says why).
    const route = catalog.toolRoutes.get(params.name as string);
    if (!route || this.calls.has(request.id as RequestId)) return false;
    const connection = await session.connection(route.upstream);
    return this.send(request, params, modern, catalog, route, connection, extra);
  }

  /** The catalog `pending` resolved to, when the lane saw it resolve (take()). */
  private readyCatalog(pending: Promise<Catalog>): Catalog | undefined {
    return this.ready?.pending === pending ? this.ready.catalog : undefined;
  }

  /** take()'s last step, once the route and connection are known. */
  private send(request: Message, params: Params, modern: ModernCall | undefined, catalog: Catalog, route: Route, connection: UpstreamConnection, extra: MessageExtraInfo | undefined): boolean {
    const session = this.session;
    const upstream = connection.rawLane(modern ? levelOf(modern) : session.logLevel);
    if (!upstream) return false;
    // A 2026-07-28 upstream: a 2026-07-28 client's calls, and none the request filters watch (a call handed over to the SDK path would be counted twice).
    if (upstream.modern && (!modern || this.filters)) return false;
    const id = request.id as RequestId;
    session.used = true;
    // Cancelled before it left: it is done (the client expects no answer), and the upstream never hears of it.
    if (this.starting.get(id)) return true;
    const call = new FastCall(this, id, upstream, route.upstream, this.uriRewrite(catalog, route.upstream), catalog, modern && this.modern);
    if (modern) call.logThreshold = modern.logThreshold;
    const upstreamArguments = injectPinned(params.arguments, route.pinned);
    // A 2026-07-28 call goes without its envelope (its only other key); a 2025-11-25 one with whatever else it carries.
    let upstreamParams: Params = modern ? { name: route.original, arguments: upstreamArguments } : { ...params, name: route.original, arguments: upstreamArguments };
    if (session.recorder) upstreamParams = recordRoute(session.recorder, id, connection, params, upstreamParams, route, call);
    if (upstream.modern) {
      upstreamParams = upstream.modern.params(upstreamParams, modern!.capabilities, levelOf(modern!));
      call.retry = { message: request as JSONRPCMessage, extra };
    }
    this.calls.set(id, call);
    if (this.filters) return this.startFiltered(call, params, route.upstream, upstreamParams, extra);
    if (!call.start(session, this.inflight, upstreamParams)) {
      this.calls.delete(id);
      return false;
    }
    return true;
  }

  /** send()'s start inside the request filters: taken even if a shutdown began meanwhile (then answered as the SDK path would). */
  private startFiltered(call: FastCall, params: Params, upstream: string, upstreamParams: Params, extra: MessageExtraInfo | undefined): true {
    const session = this.session;
    const request = describeFrom(session.label, session.config.server.transport, { method: 'tools/call', params }, { id: call.clientId, headers: extra?.request?.headers, sessionId: this.transport?.sessionId });
    runFiltered(this.filters!, request, { session: session.label, upstream, method: 'tools/call', params: upstreamParams }, (sent) =>
      new Promise((resolve, reject) => {
        call.observer = { resolve, reject };
        if (!call.start(session, this.inflight, sent)) call.fail(shuttingDown());
      }),
    );
    return true;
  }

  /**
   * A list answered as router.ts answers it for a 2025-11-25 client (a page of the catalog), from
   * a page serialized once per catalog: most of a 2,000-tool list's time was JSON.stringify.
   */
  private async list(request: Message, list: ListField): Promise<boolean> {
    const id = request.id as RequestId;
    const catalog = await this.session.listedCatalog();
    if (this.starting.get(id)) return true; // cancelled: no answer
    const cursor = (request.params as Params | undefined)?.cursor;
    if (cursor !== undefined && typeof cursor !== 'string') return false;
    let pages = this.pages.get(catalog);
    if (!pages) this.pages.set(catalog, (pages = new Map()));
    const key = `${list} ${cursor ?? ''}`;
    let head = pages.get(key);
    if (!head) {
      let result: Result;
      try {
        const { page, nextCursor } = paginate<unknown>(catalog[list], list, this.session.config.server.pageSize, cursor);
        result = nextCursor === undefined ? { [list]: page } : { [list]: page, nextCursor };
      } catch {
        return false; // a bad cursor: the SDK path words the error
      }
      head = Buffer.from(`{"result":${JSON.stringify(result)},"jsonrpc":"2.0","id":`);
      // Pages come by the cursors the proxy gave; a client making up others does not grow this.
      if (pages.size < MAX_PAGES) pages.set(key, head);
    }
    this.respondBytes([head, `${JSON.stringify(id)}}\n`]);
    return true;
  }

  /** A call the lane started and gives back (FastCall.handOver): the SDK Server takes the client's request. */
  handOver(message: JSONRPCMessage, extra: MessageExtraInfo | undefined): void {
    this.toSdk?.(message, extra);
  }

  respond(message: Message): void {
    this.transport?.send(message as JSONRPCMessage).catch(() => {});
  }

  /** Whether the client's transport takes serialized messages (the stdio one; not when recorded: the recorder reads messages). */
  get writesBytes(): boolean {
    return typeof (this.transport as Partial<SerializedSender> | undefined)?.sendSerialized === 'function';
  }

  /** Whether the client's transport takes a result as the upstream wrote it: the stdio one, or the recorder's tap over it (which journals its text). */
  get writesResultBytes(): boolean {
    return this.writesBytes || typeof (this.transport as Partial<ResultBytesSender> | undefined)?.sendResultBytes === 'function';
  }

  /**
   * A result as the upstream wrote it, under the client's `id`: `head`, the line up to its id; or
   * with `insert` (what a 2026-07-28 client's result gets, ending the result), up to the result's closing brace.
   */
  respondResult(id: RequestId, head: Buffer, insert?: Buffer): void {
    const tail = `"jsonrpc":"2.0","id":${JSON.stringify(id)}}`;
    if (this.writesBytes) this.respondBytes(insert ? [head, insert, tail + '\n'] : [head, tail + '\n']);
    else (this.transport as unknown as ResultBytesSender).sendResultBytes(id, head, insert ? insert.toString('utf8') + tail : tail).catch(() => {});
  }

  respondBytes(pieces: ReadonlyArray<string | Uint8Array>): void {
    (this.transport as unknown as SerializedSender).sendSerialized(pieces).catch(() => {});
  }

  forget(clientId: RequestId): void {
    this.calls.delete(clientId);
  }

  /** The client is gone: its calls end upstream too. */
  private clientGone(): void {
    for (const call of [...this.calls.values()]) call.cancel('the client disconnected');
  }

  private uriRewrite(catalog: Catalog, upstream: string): UriRewrite {
    let byUpstream = this.uriRewrites.get(catalog);
    if (!byUpstream) this.uriRewrites.set(catalog, (byUpstream = new Map()));
    let rewrite = byUpstream.get(upstream);
    if (rewrite === undefined) byUpstream.set(upstream, (rewrite = uriRewriteOf(catalog, upstream)));
    return rewrite;
  }
}

/** Trace context in the HTTP request's headers (telemetry/traceContext.ts reads it there too): the tracing filters' to pass on. */
function carriesTraceHeaders(extra: MessageExtraInfo | undefined): boolean {
  const headers = extra?.request?.headers;
  return headers !== undefined && TRACE_KEYS.some((key) => headers.has(key));
}

/** The level a 2026-07-28 call's upstream must have been told (none when the call hears no logs). */
function levelOf(call: ModernCall): LoggingLevel | undefined {
  return call.logThreshold === 'off' ? undefined : call.logThreshold;
}

/** Whether a result holds a `uri` in the proxy's namespaced form (where rewriteResultUris looks; strings are not read). */
function holdsNamespacedUri(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(holdsNamespacedUri);
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'structuredContent' || key === '_meta') continue;
    if (key === 'uri' ? typeof inner === 'string' && inner.startsWith(NAMESPACED_SCHEME) : holdsNamespacedUri(inner)) return true;
  }
  return false;
}

/**
 * exposeUri changes a URI of `upstream` only when the catalog routes it elsewhere: to another
 * upstream's resource or template, to one of its own resources exposed under another URI, or,
 * for a `mcproxy://` URI, back through its own templates. With none of those, nothing changes.
 */
function uriRewriteOf(catalog: Catalog, upstream: string): UriRewrite {
  const elsewhere = (route: Route, exposed: string) => route.upstream !== upstream || route.original !== exposed;
  for (const [exposed, route] of catalog.resourceRoutes) if (elsewhere(route, exposed)) return 'always';
  for (const [owner, templates] of catalog.upstreamTemplates) if (owner !== upstream && templates.length > 0) return 'always';
  return (catalog.upstreamTemplates.get(upstream)?.length ?? 0) > 0 ? 'namespaced' : 'never';
}
