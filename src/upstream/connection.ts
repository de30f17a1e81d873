// One live MCP client connection to one upstream server: connects, reconnects with backoff
// after a failure, bounds in-flight requests, remembers what the proxy subscribed to, and
// hands the server's own notifications and requests to whoever is attached to it (one client
// session, or several when the upstream is shared).
import { Client } from '@modelcontextprotocol/client';
import type { Transport, RequestOptions, ClientCapabilities, Implementation, JSONRPCRequest, LoggingLevel, Notification, RequestId, Result, ServerCapabilities } from '@modelcontextprotocol/client';
import PQueue from 'p-queue';
import { negotiationFor, noteVerdict, priorVerdict } from './eraVerdicts.js';
import { isStdioUpstream, type RemoteUpstreamConfig, type UpstreamConfig } from '../config/schema.js';
import { emptyListing, type UpstreamListing } from '../catalog/listing.js';
import { log } from '../log.js';
import { throttledWarn } from '../logThrottle.js';
import { Attachments, type CallContext, type UpstreamListener } from './attachments.js';
import { unavailable, upstreamError } from './errors.js';
import { fetchListing } from './listing.js';
import { LooseResult } from './looseSchemas.js';
import type { ConnectionFetch } from './transports/connectionFetch.js';
import { createSseTransport, createStreamableHttpTransport, type RemoteTransport } from './transports/http.js';
import { createStdioTransport, describeChild } from './transports/stdio.js';
import { tapTransport } from './transportTap.js';
import { isLoopRefusal } from '../session/chain.js';
import { asNeedsLogin } from './oauth/needsLogin.js';
import { offerLogin, type LoginOffer } from './oauth/loginOffer.js';
import { upstreamAuthFor, type Caller, type UpstreamAuth } from './oauth/upstreamAuth.js';

/** `needs-login`: an OAuth upstream waits for `mcproxy auth login` (it connects once that is done). */
export type UpstreamState = 'connecting' | 'ready' | 'down' | 'needs-login' | 'closed';

/** How often an upstream that needs a login looks whether its token store changed. */
const LOGIN_WATCH_MS = 1_000;

const BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000];

export class UpstreamConnection {
  state: UpstreamState = 'connecting';
  /** Why the last attempt failed, for errors and `mcproxy list`. */
  lastError?: string;
  private client?: Client;
  /** A remote upstream's HTTP side: which call a server→client request came with. */
  private http?: ConnectionFetch;
  /** The JSON-RPC id of the request the client sent last (sending is synchronous in request()). */
  private lastSentId?: RequestId;
  private readonly attachments: Attachments<UpstreamConnection>;
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
  /** A remote upstream's OAuth (src/upstream/oauth); undefined for stdio and static headers. */
  private readonly auth?: UpstreamAuth;
  /** For a stdio upstream: what its current child did that explains a failure. */
  private childDiagnosis: (stderrAlone?: boolean) => string | undefined = () => undefined;
  /** Garbage, duplicate answers, answers to unknown ids: logged, but never a flood. */
  private readonly protocolNoise: (message: string) => void;

  constructor(
    readonly config: UpstreamConfig,
    private readonly clientInfo: Implementation,
    private readonly capabilities: ClientCapabilities,
    /** On a team gateway: who this session is (a `credentials: perUser` upstream uses their own login). */
    caller?: Caller,
  ) {
    this.attachments = new Attachments(config.name);
    this.protocolNoise = throttledWarn({ upstream: config.name });
    if (config.maxConcurrent) this.queue = new PQueue({ concurrency: config.maxConcurrent });
    if (!isStdioUpstream(config)) this.auth = upstreamAuthFor(config as RemoteUpstreamConfig & UpstreamConfig, caller);
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

  /** Whether requests to this upstream carry OAuth tokens mcproxy obtains (src/upstream/oauth). */
  get usesOAuth(): boolean {
    return this.auth !== undefined;
  }

  /** Whether this connection told the upstream it can list roots (and so hears of their changes). */
  get declaredRoots(): boolean {
    return this.capabilities.roots !== undefined;
  }

  /** Settles once the first connection attempt has succeeded or failed. */
  whenSettled(): Promise<void> {
    return this.firstAttempt;
  }

  attach(listener: UpstreamListener<UpstreamConnection>): void {
    this.attachments.attach(listener);
  }

  /** Detaches a listener; returns how many remain. */
  detach(listener: UpstreamListener<UpstreamConnection>): number {
    return this.attachments.detach(listener);
  }

  /** Sends a request on behalf of `listener`, under the upstream's original names. */
  async request(
    listener: UpstreamListener<UpstreamConnection>,
    request: { method: string; params?: Record<string, unknown> },
    options: Omit<RequestOptions, 'timeout'> = {},
    context?: CallContext,
  ): Promise<Result> {
    // Runs when the request leaves the queue, so send() checks an upstream that may have gone down meanwhile.
    const tracked = async () => {
      const { call, done } = this.attachments.track(listener, context);
      try {
        return await this.send(request, { ...options, resetTimeoutOnProgress: true }, (id) => {
          call.upstreamId = id;
          context?.upstreamRequestId?.(id);
        });
      } finally {
        done();
      }
    };
    return this.queue ? ((await this.queue.add(tracked, { signal: options.signal })) as Result) : tracked();
  }

  /** Sends a notification (roots/list_changed, ...) if connected; dropped otherwise. */
  async notify(notification: Notification): Promise<void> {
    if (this.state === 'ready') await this.client?.notification(notification as never);
  }

  /** The upstream's tools, prompts, resources and templates, all pages, cached until it says they changed. */
  listing(): Promise<UpstreamListing> {
    if (this.state !== 'ready' || !this.client) return Promise.resolve(this.lastListing ?? emptyListing(this.name, this.config.namespace));
    const client = this.client;
    this.listingCache ??= fetchListing(client, this.config).then(
      (listing) => (this.lastListing = listing),
      (error) => {
        this.listingCache = undefined;
        const needsLogin = asNeedsLogin(error);
        if (needsLogin) this.awaitLogin(client, needsLogin.message);
        throw error;
      },
    );
    return this.listingCache;
  }

  /** Subscribes upstream on the first interested session only. */
  async subscribe(uri: string, params: Record<string, unknown>): Promise<Result> {
    const count = this.subscriptions.get(uri) ?? 0;
    const result = count === 0 ? await this.send({ method: 'resources/subscribe', params }) : {};
    this.subscriptions.set(uri, count + 1);
    return result;
  }

  /** Unsubscribes upstream when the last interested session lets go. */
  async unsubscribe(uri: string, params: Record<string, unknown>): Promise<Result> {
    const count = this.subscriptions.get(uri) ?? 0;
    if (count <= 1) {
      this.subscriptions.delete(uri);
      if (count === 1) return this.send({ method: 'resources/unsubscribe', params });
      return {};
    }
    this.subscriptions.set(uri, count - 1);
    return {};
  }

  async setLogLevel(level: LoggingLevel): Promise<void> {
    this.logLevel = level;
    if (this.state === 'ready' && this.serverCapabilities?.logging) {
      await this.send({ method: 'logging/setLevel', params: { level } });
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

  /** One request on the live client, under this upstream's timeout, its errors naming the upstream. */
  private async send(
    request: { method: string; params?: Record<string, unknown> },
    options: RequestOptions = {},
    onSent?: (upstreamId: RequestId) => void,
  ): Promise<Result> {
    const client = this.client;
    if (this.state !== 'ready' || !client) throw unavailable(this.name, this.lastError ?? this.state);
    try {
      this.lastSentId = undefined;
      const result = client.request(request as never, LooseResult, { ...options, timeout: this.config.timeoutMs });
      if (this.lastSentId !== undefined) onSent?.(this.lastSentId);
      return await result;
    } catch (error) {
      if (asNeedsLogin(error)) this.awaitLogin(client, asNeedsLogin(error)!.message);
      throw upstreamError(this.name, request.method, this.config.timeoutMs, error, this.childDiagnosis());
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
      this.lastError = withDiagnosis(errorText(error), this.childDiagnosis(true));
      if (this.isClosed()) return;
      const needsLogin = asNeedsLogin(error);
      if (needsLogin) return this.awaitLogin(undefined, needsLogin.message);
      if (isLoopRefusal(this.lastError)) {
        // Reconnecting would only start the loop again.
        this.state = 'down';
        log.error(`not connecting: ${this.lastError}`, { upstream: this.name });
        return;
      }
      log.warn(`connection failed: ${this.lastError}`, { upstream: this.name });
      this.scheduleReconnect();
    }
  }

  /** A fresh SDK client on a fresh transport; for a remote upstream, Streamable HTTP first, then SSE. */
  private async open(): Promise<Client> {
    const config = this.config;
    if (isStdioUpstream(config)) {
      const transport = createStdioTransport(this.name, config);
      this.childDiagnosis = (stderrAlone) => describeChild(transport, stderrAlone);
      return this.openOver(transport);
    }
    const remote = config as RemoteUpstreamConfig & UpstreamConfig;
    if (remote.transport === 'sse') return this.openRemote(createSseTransport(this.name, remote, this.auth));
    let first: unknown;
    try {
      return await this.openRemote(createStreamableHttpTransport(this.name, remote, this.auth));
    } catch (error) {
      // A proxy that refused us as a loop would refuse over SSE too; a login is needed for both.
      if (remote.transport === 'streamable-http' || isLoopRefusal(errorText(error)) || asNeedsLogin(error)) throw error;
      first = error;
      log.debug(`Streamable HTTP failed (${errorText(error)}); trying SSE`, { upstream: this.name });
    }
    try {
      return await this.openRemote(createSseTransport(this.name, remote, this.auth));
    } catch (error) {
      // The first transport's error is usually the one that explains (a refused connection, a 401).
      throw new Error(`Streamable HTTP: ${errorText(first)}; SSE fallback: ${errorText(error)}`);
    }
  }

  private async openRemote({ transport, http }: RemoteTransport): Promise<Client> {
    const client = await this.openOver(transport);
    this.http = http;
    return client;
  }

  private async openOver(transport: Transport): Promise<Client> {
    const versionNegotiation = negotiationFor(this.config);
    const client = new Client(this.clientInfo, { capabilities: this.capabilities, versionNegotiation });
    client.fallbackNotificationHandler = async (notification) => this.onNotification(notification);
    client.fallbackRequestHandler = async (request, ctx) => this.answer(request, ctx.mcpReq.signal);
    client.onerror = (error) => this.protocolNoise(`protocol error from the upstream: ${error.message}`);
    client.onclose = () => this.onClosed(client);
    try {
      await client.connect(transport, { timeout: this.config.timeoutMs, prior: priorVerdict(this.config) });
    } catch (error) {
      noteVerdict(this.config, undefined);
      throw error;
    }
    noteVerdict(this.config, client);
    tapTransport(transport, (requestId, reason) => this.answering.get(requestId)?.abort(reason));
    this.noteSentRequests(transport);
    return client;
  }

  /** Remembers the id of each request sent, so that a call knows its own id on this connection. */
  private noteSentRequests(transport: Transport): void {
    const send = transport.send.bind(transport);
    transport.send = (message, options) => {
      if ('method' in message && 'id' in message) this.lastSentId = message.id;
      return send(message, options);
    };
  }

  /** After a reconnect, the new server knows nothing: repeat what the clients had asked for. */
  private async restoreState(): Promise<void> {
    try {
      if (this.logLevel) await this.setLogLevel(this.logLevel);
      for (const uri of this.subscriptions.keys()) {
        await this.send({ method: 'resources/subscribe', params: { uri } });
      }
    } catch (error) {
      log.warn(`could not restore subscriptions or log level: ${(error as Error).message}`, { upstream: this.name });
    }
  }

  private onClosed(client: Client): void {
    if (client !== this.client || this.state === 'closed') return;
    this.client = undefined;
    this.state = 'down';
    this.lastError = withDiagnosis('connection closed', this.childDiagnosis());
    this.listingCache = undefined;
    log.warn(`${this.lastError}; reconnecting`, { upstream: this.name });
    this.emitStatus();
    this.scheduleReconnect();
  }

  /**
   * Starts a login a client can show its user (loginOffer.ts); undefined where a browser login
   * is not how this upstream gets its tokens (client credentials, token exchange, perUser).
   */
  offerLogin(): Promise<LoginOffer> | undefined {
    if (!this.auth || !this.auth.interactive || this.state !== 'needs-login') return undefined;
    return offerLogin(this.auth.target);
  }

  /**
   * Waits for a login (`mcproxy auth login`, here or in another process): the upstream stays
   * in needs-login with one message, and connects as soon as its token store changes.
   */
  private awaitLogin(client: Client | undefined, message: string): void {
    if (this.state === 'closed' || this.state === 'needs-login') return;
    const wasReady = this.state === 'ready';
    this.state = 'needs-login';
    this.lastError = message;
    this.listingCache = undefined;
    if (client === this.client) this.client = undefined;
    void client?.close().catch(() => {});
    log.warn(message, { upstream: this.name });
    if (wasReady) this.emitStatus();
    const store = this.auth?.store;
    const seen = store?.version();
    const watch = () => {
      if (this.isClosed()) return;
      if (store && store.version() !== seen && store.read()?.tokens) return void this.connect();
      this.retryTimer = setTimeout(watch, LOGIN_WATCH_MS);
      this.retryTimer.unref();
    };
    watch();
  }

  private scheduleReconnect(): void {
    this.state = 'down';
    const delay = BACKOFF_MS[Math.min(this.attempt++, BACKOFF_MS.length - 1)];
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }

  private emitStatus(): void {
    this.attachments.status(this);
  }

  private onNotification(notification: Notification): void {
    if (notification.method.endsWith('/list_changed') && notification.method !== 'notifications/roots/list_changed') {
      this.listingCache = undefined;
    }
    this.attachments.notification(this, notification);
  }

  /** Answers a server→client request, abortable by the upstream's cancellation. */
  private async answer(request: JSONRPCRequest, sdkSignal: AbortSignal): Promise<Result> {
    const controller = new AbortController();
    const abort = () => controller.abort(sdkSignal.reason);
    sdkSignal.addEventListener('abort', abort, { once: true });
    this.answering.set(request.id, controller);
    try {
      return await this.attachments.request(this, request, controller.signal, this.http?.origins.take(request.id));
    } finally {
      this.answering.delete(request.id);
      sdkSignal.removeEventListener('abort', abort);
    }
  }

}

/** An error's message with its cause, where undici hides the useful part ("fetch failed": ECONNREFUSED ...). */
function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.message.replace(/^MCP error -?\d+: /, '');
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause && !message.includes(cause) ? `${message} (${cause})` : message;
}

function withDiagnosis(message: string, diagnosis: string | undefined): string {
  return diagnosis ? `${message}: ${diagnosis}` : message;
}
