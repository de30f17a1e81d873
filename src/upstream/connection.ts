// One live MCP client connection to one upstream server: connects, reconnects with backoff
// after a failure, bounds in-flight requests, remembers what the proxy subscribed to, and
// hands the server's own notifications and requests to whoever is attached to it (one client
// session, or several when the upstream is shared).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type {
  ClientCapabilities,
  Implementation,
  JSONRPCRequest,
  LoggingLevel,
  Notification,
  RequestId,
  Result,
  ServerCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import PQueue from 'p-queue';
import { isStdioUpstream, type RemoteUpstreamConfig, type UpstreamConfig } from '../config/schema.js';
import type { UpstreamListing } from '../catalog/listing.js';
import { log } from '../log.js';
import { ForwardedError, unavailable, upstreamError } from './errors.js';
import { fetchListing } from './listing.js';
import { LooseResult } from './looseSchemas.js';
import { createSseTransport, createStreamableHttpTransport } from './transports/http.js';
import { createStdioTransport } from './transports/stdio.js';

/** The downstream side of a call in flight, so that upstream messages can travel with it. */
export interface CallContext {
  sendNotification(notification: Notification): Promise<void>;
  sendRequest(request: { method: string; params?: Record<string, unknown> }, options: RequestOptions): Promise<Result>;
}

/** Who receives what an upstream sends on its own: a client session. */
export interface UpstreamListener {
  /** A notification (logging, list changes, resource updates, ...); `call` is the listener's call in flight, if any. */
  onUpstreamNotification(upstream: UpstreamConnection, notification: Notification, call?: CallContext): void;
  /** A server→client request (sampling, elicitation, roots). */
  onUpstreamRequest(upstream: UpstreamConnection, request: JSONRPCRequest, signal: AbortSignal, call?: CallContext): Promise<Result>;
  /** Connected, disconnected, or reconnected: the catalog may have changed. */
  onUpstreamStatus(upstream: UpstreamConnection): void;
}

export type UpstreamState = 'connecting' | 'ready' | 'down' | 'closed';

const BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000];

interface InflightCall {
  listener: UpstreamListener;
  context?: CallContext;
}

export class UpstreamConnection {
  state: UpstreamState = 'connecting';
  /** Why the last attempt failed, for errors and `mcproxy list`. */
  lastError?: string;
  private client?: Client;
  private readonly listeners = new Set<UpstreamListener>();
  private readonly inflight = new Set<InflightCall>();
  /** Server→client requests being answered, by the upstream's request id, so that its cancellation reaches them. */
  private readonly answering = new Map<RequestId, AbortController>();
  private readonly queue?: PQueue;
  private listingCache?: Promise<UpstreamListing>;
  /** Kept while the upstream is down, so its tools still route, to an error that names it. */
  private lastListing?: UpstreamListing;
  private readonly subscriptions = new Map<string, number>();
  private logLevel?: LoggingLevel;
  private attempt = 0;
  private retryTimer?: NodeJS.Timeout;
  private firstAttempt: Promise<void>;

  constructor(
    readonly config: UpstreamConfig,
    private readonly clientInfo: Implementation,
    private readonly capabilities: ClientCapabilities,
  ) {
    if (config.maxConcurrent) this.queue = new PQueue({ concurrency: config.maxConcurrent });
    this.firstAttempt = this.connect();
  }

  get name(): string {
    return this.config.name;
  }

  get serverCapabilities(): ServerCapabilities | undefined {
    return this.client?.getServerCapabilities();
  }

  get serverInfo(): Implementation | undefined {
    return this.client?.getServerVersion();
  }

  /** Whether this connection told the upstream it can list roots (and so hears of their changes). */
  get declaredRoots(): boolean {
    return this.capabilities.roots !== undefined;
  }

  /** Settles once the first connection attempt has succeeded or failed. */
  whenSettled(): Promise<void> {
    return this.firstAttempt;
  }

  attach(listener: UpstreamListener): void {
    this.listeners.add(listener);
  }

  /** Detaches a listener; returns how many remain. */
  detach(listener: UpstreamListener): number {
    this.listeners.delete(listener);
    return this.listeners.size;
  }

  /** Sends a request on behalf of `listener`, under the upstream's original names. */
  async request(
    listener: UpstreamListener,
    request: { method: string; params?: Record<string, unknown> },
    options: Omit<RequestOptions, 'timeout'> = {},
    context?: CallContext,
  ): Promise<Result> {
    const call: InflightCall = { listener, context };
    // Checked when the request leaves the queue: the upstream may have gone down meanwhile.
    const send = async () => {
      const client = this.client;
      if (this.state !== 'ready' || !client) throw unavailable(this.name, this.lastError ?? this.state);
      this.inflight.add(call);
      try {
        return await client.request(request as never, LooseResult, {
          ...options,
          timeout: this.config.timeoutMs,
          resetTimeoutOnProgress: true,
        });
      } catch (error) {
        throw upstreamError(this.name, request.method, this.config.timeoutMs, error);
      } finally {
        this.inflight.delete(call);
      }
    };
    return this.queue ? ((await this.queue.add(send, { signal: options.signal })) as Result) : send();
  }

  /** Sends a notification (roots/list_changed, ...) if connected; dropped otherwise. */
  async notify(notification: Notification): Promise<void> {
    if (this.state === 'ready') await this.client?.notification(notification as never);
  }

  /** The upstream's tools, prompts, resources and templates, all pages, cached until it says they changed. */
  listing(): Promise<UpstreamListing> {
    if (this.state !== 'ready' || !this.client) return Promise.resolve(this.lastListing ?? emptyListing(this.config));
    this.listingCache ??= fetchListing(this.client, this.config).then(
      (listing) => (this.lastListing = listing),
      (error) => {
        this.listingCache = undefined;
        throw error;
      },
    );
    return this.listingCache;
  }

  /** Subscribes upstream on the first interested session only. */
  async subscribe(uri: string, params: Record<string, unknown>): Promise<Result> {
    const count = this.subscriptions.get(uri) ?? 0;
    const result = count === 0 ? await this.requestDirect({ method: 'resources/subscribe', params }) : {};
    this.subscriptions.set(uri, count + 1);
    return result;
  }

  /** Unsubscribes upstream when the last interested session lets go. */
  async unsubscribe(uri: string, params: Record<string, unknown>): Promise<Result> {
    const count = this.subscriptions.get(uri) ?? 0;
    if (count <= 1) {
      this.subscriptions.delete(uri);
      if (count === 1) return this.requestDirect({ method: 'resources/unsubscribe', params });
      return {};
    }
    this.subscriptions.set(uri, count - 1);
    return {};
  }

  async setLogLevel(level: LoggingLevel): Promise<void> {
    this.logLevel = level;
    if (this.state === 'ready' && this.serverCapabilities?.logging) {
      await this.requestDirect({ method: 'logging/setLevel', params: { level } });
    }
  }

  async close(): Promise<void> {
    this.state = 'closed';
    clearTimeout(this.retryTimer);
    this.queue?.clear();
    const client = this.client;
    this.client = undefined;
    await client?.close().catch(() => {});
  }

  /** close() may run while a connect is awaited; this reads the state afresh. */
  private isClosed(): boolean {
    return this.state === 'closed';
  }

  private async requestDirect(request: { method: string; params?: Record<string, unknown> }): Promise<Result> {
    const client = this.client;
    if (this.state !== 'ready' || !client) throw unavailable(this.name, this.lastError ?? this.state);
    try {
      return await client.request(request as never, LooseResult, { timeout: this.config.timeoutMs });
    } catch (error) {
      throw upstreamError(this.name, request.method, this.config.timeoutMs, error);
    }
  }

  private async connect(): Promise<void> {
    this.state = 'connecting';
    try {
      const client = await this.open();
      if (this.isClosed()) {
        await client.close();
        return;
      }
      this.client = client;
      this.state = 'ready';
      this.attempt = 0;
      this.lastError = undefined;
      this.listingCache = undefined;
      log.info(`connected to ${this.serverInfo?.name ?? 'server'} ${this.serverInfo?.version ?? ''}`.trim(), { upstream: this.name });
      await this.restoreState();
      this.emitStatus();
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      if (this.isClosed()) return;
      log.warn(`connection failed: ${this.lastError}`, { upstream: this.name });
      this.scheduleReconnect();
    }
  }

  /** A fresh SDK client on a fresh transport; for a remote upstream, Streamable HTTP first, then SSE. */
  private async open(): Promise<Client> {
    const config = this.config;
    if (isStdioUpstream(config)) return this.openOver(createStdioTransport(this.name, config));
    const remote = config as RemoteUpstreamConfig & UpstreamConfig;
    if (remote.transport === 'sse') return this.openOver(createSseTransport(remote));
    try {
      return await this.openOver(createStreamableHttpTransport(remote));
    } catch (error) {
      if (remote.transport === 'streamable-http') throw error;
      log.debug(`Streamable HTTP failed (${error instanceof Error ? error.message : error}); trying SSE`, { upstream: this.name });
      return this.openOver(createSseTransport(remote));
    }
  }

  private async openOver(transport: Transport): Promise<Client> {
    const client = new Client(this.clientInfo, { capabilities: this.capabilities });
    client.fallbackNotificationHandler = async (notification) => this.onNotification(notification);
    client.fallbackRequestHandler = async (request, extra) => this.answer(request, extra.signal);
    client.onerror = (error) => log.debug(`protocol: ${error.message}`, { upstream: this.name });
    client.onclose = () => this.onClosed(client);
    await client.connect(transport, { timeout: this.config.timeoutMs });
    this.tap(transport);
    return client;
  }

  /** After a reconnect, the new server knows nothing: repeat what the clients had asked for. */
  private async restoreState(): Promise<void> {
    try {
      if (this.logLevel) await this.setLogLevel(this.logLevel);
      for (const uri of this.subscriptions.keys()) {
        await this.requestDirect({ method: 'resources/subscribe', params: { uri } });
      }
    } catch (error) {
      log.warn(`could not restore subscriptions or log level: ${(error as Error).message}`, { upstream: this.name });
    }
  }

  private onClosed(client: Client): void {
    if (client !== this.client || this.state === 'closed') return;
    this.client = undefined;
    this.state = 'down';
    this.lastError = 'connection closed';
    this.listingCache = undefined;
    log.warn('connection closed; reconnecting', { upstream: this.name });
    this.emitStatus();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.state = 'down';
    const delay = BACKOFF_MS[Math.min(this.attempt++, BACKOFF_MS.length - 1)];
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }

  private emitStatus(): void {
    for (const listener of this.listeners) listener.onUpstreamStatus(this);
  }

  private onNotification(notification: Notification): void {
    if (notification.method.endsWith('/list_changed') && notification.method !== 'notifications/roots/list_changed') {
      this.listingCache = undefined;
    }
    for (const listener of this.listeners) {
      listener.onUpstreamNotification(this, notification, this.latestCall(listener)?.context);
    }
  }

  /**
   * A server→client request goes to the one session it can belong to: the only one attached,
   * or, on a shared upstream, the only one with a call in flight here.
   */
  private async onRequest(request: JSONRPCRequest, signal: AbortSignal): Promise<Result> {
    let listener: UpstreamListener | undefined;
    if (this.listeners.size === 1) {
      [listener] = this.listeners;
    } else {
      const busy = new Set([...this.inflight].map((call) => call.listener));
      if (busy.size === 1) [listener] = busy;
    }
    if (!listener) {
      throw new ForwardedError(
        ErrorCode.InvalidRequest,
        `mcproxy cannot tell which client ${request.method} is for: ${this.listeners.size} sessions share upstream '${this.name}' and ` +
          `${this.inflight.size === 0 ? 'none has' : 'several have'} a call in flight`,
      );
    }
    return listener.onUpstreamRequest(this, request, signal, this.latestCall(listener)?.context);
  }

  /**
   * Two fixes to what the SDK makes of upstream messages, applied where they arrive:
   * - It runs notification handlers a microtask late but settles responses at once, so a
   *   call's last progress, arriving in the same chunk as its response, would find its handler
   *   gone. Each response waits one microtask, keeping wire order.
   * - It ignores notifications/cancelled for request id 0 (falsy), the id of every SDK
   *   server's first request to its client; cancellations are applied here as well.
   */
  private tap(transport: Transport): void {
    const deliver = transport.onmessage;
    if (!deliver) return;
    transport.onmessage = (message, extra) => {
      if ('id' in message && ('result' in message || 'error' in message)) {
        queueMicrotask(() => deliver(message, extra));
        return;
      }
      if ('method' in message && message.method === 'notifications/cancelled' && !('id' in message)) {
        const params = message.params as { requestId?: RequestId; reason?: string } | undefined;
        if (params?.requestId !== undefined) this.answering.get(params.requestId)?.abort(params.reason);
      }
      deliver(message, extra);
    };
  }

  /** Answers a server→client request, abortable by the upstream's cancellation. */
  private async answer(request: JSONRPCRequest, sdkSignal: AbortSignal): Promise<Result> {
    const controller = new AbortController();
    const abort = () => controller.abort(sdkSignal.reason);
    sdkSignal.addEventListener('abort', abort, { once: true });
    this.answering.set(request.id, controller);
    try {
      return await this.onRequest(request, controller.signal);
    } finally {
      this.answering.delete(request.id);
      sdkSignal.removeEventListener('abort', abort);
    }
  }

  private latestCall(listener: UpstreamListener): InflightCall | undefined {
    let latest: InflightCall | undefined;
    for (const call of this.inflight) if (call.listener === listener) latest = call;
    return latest;
  }
}

function emptyListing(config: UpstreamConfig): UpstreamListing {
  return { upstream: config.name, namespace: config.namespace, tools: [], prompts: [], resources: [], resourceTemplates: [] };
}
