// One live MCP client connection to one upstream server: connects, reconnects when the
// upstream's restart policy (health.ts) lets it, checks that it still answers, renews a remote
// session the server forgot, bounds in-flight requests, remembers what the proxy subscribed to, and
// hands the server's own notifications and requests to whoever is attached to it (one client
// session, or several when the upstream is shared).
import { Client, ProtocolErrorCode, SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import type { Transport, RequestOptions, ClientCapabilities, Implementation, JSONRPCRequest, LoggingLevel, Notification, RequestId, Result, ServerCapabilities } from '@modelcontextprotocol/client';
import type PQueue from 'p-queue';
import { noteExtensions } from './declaredExtensions.js';
import { confirmVerdict, negotiationFor, noteVerdict, priorVerdict } from './eraVerdicts.js';
import type { RemoteUpstreamConfig, UpstreamConfig } from '../config/schema.js';
import { isStdioUpstream } from '../config/upstreamKind.js';
import { emptyListing, type UpstreamListing } from '../catalog/listing.js';
import { log } from '../log.js';
import { throttledWarn } from '../logThrottle.js';
import { Attachments, type CallContext, type UpstreamListener } from './attachments.js';
import { ForwardedError, unavailable, upstreamError } from './errors.js';
import { fetchListing } from './listing.js';
import { keepSnapshot, listsAlike, snapshotOf } from './listingSnapshot.js';
import { LooseResult } from './looseSchemas.js';
import type { ConnectionFetch } from './transports/connectionFetch.js';
import type { RemoteTransport } from './transports/http.js';
import { createStdioTransport, describeChild } from './transports/stdio.js';
import { tapTransport } from './transportTap.js';
import { isLoopRefusal } from '../session/chain.js';
import { UpstreamFailedError, type UpstreamHealth } from './health.js';
import { healthProbeMethod, startHealthChecks } from './healthCheck.js';
import { asNeedsLogin } from './oauth/needsLogin.js';
import type { LoginOffer } from './oauth/loginOffer.js';
import type { Caller, UpstreamAuth } from './oauth/upstreamAuth.js';
import { UpstreamListen, withoutSubscriptionId } from './upstreamListen.js';
import { moreVerbose, withLogLevel } from '../session/logLevel.js';
import { UpstreamLane, type LaneLink } from './rawLane.js';
import { ModernUpstream } from './modernUpstream.js';

/** `needs-login`: an OAuth upstream waits for `mcproxy auth login` (it connects once that is done). */
export type UpstreamState = 'connecting' | 'ready' | 'down' | 'needs-login' | 'closed';

/** How often an upstream that needs a login looks whether its token store changed. */
const LOGIN_WATCH_MS = 1_000;

/** An HTTP 404 to a request that carried our session id: the server no longer knows the session. */
function isSessionGone(error: unknown): boolean {
  // The SDK's SdkHttpError carries the HTTP status beside its own string code.
  return (error as { status?: unknown } | undefined)?.status === 404;
}
/** A start slower than this is logged at once, with the server's stderr so far: it is usually why. */
const SLOW_START_MS = 5_000;

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
  /** `maxConcurrent`'s queue; p-queue loads only for an upstream that has one (queueLoaded). */
  private queue?: PQueue;
  private readonly queueLoaded?: Promise<void>;
  private listingCache?: Promise<UpstreamListing>;
  /** Kept while the upstream is down, so its tools still route, to an error that names it. */
  private lastListing?: UpstreamListing;
  /** What it listed last launch (listingSnapshot.ts): its lists until its first start settles. */
  private snapshot?: UpstreamListing;
  /** The first listing of a start is kept for the next launch (not what it adds at run time). */
  private keepNextListing = false;
  private readonly subscriptions = new Map<string, number>();
  /** A 2026-07-28 upstream's one subscriptions/listen stream: its list changes and the URIs above. */
  private readonly listen: UpstreamListen;
  private logLevel?: LoggingLevel;
  /** Settles once the first attempt has an outcome, or has to wait for the restart policy. */
  private readonly firstAttempt: Promise<void>;
  private settleFirst: () => void = () => {};
  /** This connection's start is the one probing a failing upstream (health.ts). */
  private probing = false;
  /** A connect() is under way (waiting for its turn, or opening): a restart need not start another. */
  private starting = false;
  private stopHealthChecks = () => {};
  private readonly stopRestartListening: () => void;
  /** Why close() was called, for the calls it cuts short. */
  private closedReason?: string;
  /** A renewal of a remote session the server forgot, shared by the calls that found out. */
  private renewing?: Promise<void>;
  /** Whether it was ever ready: until then it is "still starting", not "down". */
  private everReady = false;
  private readonly createdAt = Date.now();
  /** While it waits for a login: the next look at its token store. */
  private retryTimer?: NodeJS.Timeout;
  /** A remote upstream's OAuth (src/upstream/oauth), made at its first connect; undefined for stdio and static headers. */
  private auth?: UpstreamAuth;
  private authMade = false;
  private readonly caller?: Caller;
  /** For a stdio upstream: what its current child did that explains a failure. */
  private childDiagnosis: (stderrAlone?: boolean) => string | undefined = () => undefined;
  /** Garbage, duplicate answers, answers to unknown ids: logged, but never a flood. */
  private readonly protocolNoise: (message: string) => void;
  /** A stdio upstream's side of the fast lane (rawLane.ts; session/fastLane.ts the client's), for its current child. */
  private lane?: UpstreamLane;

  constructor(
    /** Replaced on a reload that changes only what needs no restart (namespace, policy, failMode). */
    public config: UpstreamConfig,
    private readonly clientInfo: Implementation,
    private readonly capabilities: ClientCapabilities,
    /** The upstream's state and restart policy, shared with every other connection to it. */
    readonly health: UpstreamHealth,
    /** On a team gateway: who this session is (a `credentials: perUser` upstream uses their own login). */
    caller?: Caller,
  ) {
    this.attachments = new Attachments(config.name);
    this.listen = new UpstreamListen(config.name, () => [...this.subscriptions.keys()], () => this.config.timeoutMs);
    this.protocolNoise = throttledWarn({ upstream: config.name });
    const concurrency = config.maxConcurrent;
    if (concurrency) this.queueLoaded = import('p-queue').then(({ default: Queue }) => void (this.queue = new Queue({ concurrency })));
    this.caller = caller;
    this.snapshot = snapshotOf(config);
    this.firstAttempt = new Promise<void>((resolve) => (this.settleFirst = resolve)).then(() => this.dropSnapshot());
    this.stopRestartListening = health.onRestart(() => this.restartNow());
    void this.connect();
  }

  get name(): string {
    return this.config.name;
  }

  /** What it listed last (kept while it is down). */
  get lastKnownListing(): UpstreamListing | undefined {
    return this.lastListing;
  }

  /** Requests waiting for a `maxConcurrent` slot. */
  get queued(): number {
    return this.queue?.size ?? 0;
  }

  get serverCapabilities(): ServerCapabilities | undefined {
    return this.client?.getServerCapabilities();
  }

  get serverInfo(): Implementation | undefined {
    return this.client?.getServerVersion();
  }

  /** What the upstream said about itself at initialize (tool search indexes it). */
  get instructions(): string | undefined {
    return this.client?.getInstructions();
  }

  /** Whether requests to this upstream carry OAuth tokens mcproxy obtains (src/upstream/oauth). */
  get usesOAuth(): boolean {
    return this.auth !== undefined;
  }

  /** Whether the upstream speaks 2026-07-28 here: input_required, per-request `_meta` and log level, subscriptions on a listen stream. */
  get speaksModern(): boolean {
    return this.client?.getProtocolEra() === 'modern';
  }

  /** Whether this connection told the upstream it can list roots (and so hears of their changes). */
  get declaredRoots(): boolean {
    return this.capabilities.roots !== undefined;
  }

  /** Still in its first connection attempt: its tools are not known yet (a failed one is "down"). */
  get firstStarting(): boolean {
    return this.state === 'connecting' && !this.everReady && this.lastError === undefined;
  }

  /** How long it has been starting, in whole seconds. */
  get startingFor(): number {
    return Math.round((Date.now() - this.createdAt) / 1000);
  }

  /** Settles once the first connection attempt has succeeded or failed. */
  whenSettled(): Promise<void> {
    return this.firstAttempt;
  }

  /** In its first start, listing what it listed last launch (listingSnapshot.ts). */
  get servesSnapshot(): boolean {
    return this.snapshot !== undefined && this.firstStarting;
  }

  /** Settles once it can list: at once from a snapshot of its last listing, else as whenSettled(). */
  whenListable(): Promise<void> {
    return this.servesSnapshot ? Promise.resolve() : this.firstAttempt;
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
    // Listed from its snapshot, still starting (a session's wait for first starts ran out): the call waits for the server.
    if (this.servesSnapshot) await this.firstAttempt;
    // The level the call's client asked for: in a 2026-07-28 upstream's request `_meta`; a 2025-11-25
    // upstream logs per connection, so it is told the most verbose level asked (the sessions filter).
    const level = context?.logThreshold;
    if (level && level !== 'off') {
      if (this.speaksModern) request = { ...request, params: withLogLevel(request.params ?? {}, level) };
      else if (moreVerbose(level, this.logLevel)) await this.setLogLevel(level).catch(() => {});
    }
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
    if (!this.queueLoaded) return tracked();
    await this.queueLoaded;
    return (await this.queue!.add(tracked, { signal: options.signal })) as Result;
  }

  /**
   * The fast lane's way to this upstream (session/fastLane.ts): only while it is a ready stdio
   * connection without `maxConcurrent` and, speaking 2025-11-25, already told the log level
   * `level` (request() would tell it first; a 2026-07-28 one hears it in the call's `_meta`).
   * Undefined: the call takes request().
   */
  rawLane(level: LoggingLevel | undefined): UpstreamLane | undefined {
    if (this.state !== 'ready' || this.queueLoaded) return undefined;
    if (!this.lane?.modern && level && moreVerbose(level, this.logLevel)) return undefined;
    return this.lane;
  }

  /** What the fast lane asks of this connection: its failures worded as send() words them, calls tracked as request() tracks them. */
  private readonly laneLink: LaneLink = {
    timeoutMs: () => this.config.timeoutMs,
    error: (cause) => {
      if (this.isClosed() && this.closedReason) return unavailable(this.name, this.closedReason);
      const error =
        cause === 'timeout' ? new SdkError(SdkErrorCode.RequestTimeout, 'Request timed out', { timeout: this.config.timeoutMs })
        : cause === 'closed' ? new SdkError(SdkErrorCode.ConnectionClosed, 'Connection closed')
        : cause;
      return upstreamError(this.name, 'tools/call', this.config.timeoutMs, error, this.childDiagnosis());
    },
    track: (listener, context, upstreamId) => {
      const { call, done } = this.attachments.track(listener, context);
      call.upstreamId = upstreamId;
      return done;
    },
  };

  /** Sends a notification (roots/list_changed, ...) if connected; dropped otherwise. */
  async notify(notification: Notification): Promise<void> {
    if (this.state === 'ready') await this.client?.notification(notification as never);
  }

  /** The upstream's tools, prompts, resources and templates, all pages, cached until it says they changed. */
  listing(): Promise<UpstreamListing> {
    if (this.servesSnapshot) return Promise.resolve({ ...this.snapshot!, namespace: this.config.namespace });
    if (this.state !== 'ready' || !this.client) {
      // failMode open: a down upstream offers nothing; closed: its tools stay, and fail fast.
      const kept = this.config.failMode === 'closed' ? this.lastListing : undefined;
      // (What it kept is no promise for the future: without hints, its lists cannot be cached.)
      return Promise.resolve(kept ? { ...kept, namespace: this.config.namespace, cacheHints: undefined } : emptyListing(this.name, this.config.namespace));
    }
    const client = this.client;
    this.listingCache ??= fetchListing(client, this.config).then(
      (listing) => {
        if (this.keepNextListing) keepSnapshot(this.config, listing);
        this.keepNextListing = false;
        return (this.lastListing = listing);
      },
      (error) => {
        this.listingCache = undefined;
        const needsLogin = asNeedsLogin(error);
        if (needsLogin) this.awaitLogin(client, needsLogin.message);
        throw error;
      },
    );
    return this.listingCache;
  }

  /** Subscribes upstream on the first interested session only (on a 2026-07-28 upstream: the URI joins the listen stream). */
  async subscribe(uri: string, params: Record<string, unknown>): Promise<Result> {
    const count = this.subscriptions.get(uri) ?? 0;
    if (count === 0 && this.speaksModern) {
      if (!this.serverCapabilities?.resources?.subscribe) throw new ForwardedError(ProtocolErrorCode.MethodNotFound, `Upstream '${this.name}' does not offer resource subscriptions`);
      this.subscriptions.set(uri, 1);
      await this.listen.update(this.client).catch((error: unknown) => {
        this.subscriptions.delete(uri);
        throw upstreamError(this.name, 'subscriptions/listen', this.config.timeoutMs, error);
      });
      return {};
    }
    const result = count === 0 ? await this.send({ method: 'resources/subscribe', params }) : {};
    this.subscriptions.set(uri, count + 1);
    return result;
  }

  /** Unsubscribes upstream when the last interested session lets go. */
  async unsubscribe(uri: string, params: Record<string, unknown>): Promise<Result> {
    const count = this.subscriptions.get(uri) ?? 0;
    if (count <= 1) {
      this.subscriptions.delete(uri);
      if (count === 1 && this.speaksModern) return this.listen.update(this.client).then(() => ({}));
      if (count === 1) return this.send({ method: 'resources/unsubscribe', params });
      return {};
    }
    this.subscriptions.set(uri, count - 1);
    return {};
  }

  /** A 2025-11-25 upstream is told at once; a 2026-07-28 one hears each request's level in its `_meta`. */
  async setLogLevel(level: LoggingLevel): Promise<void> {
    this.logLevel = level;
    if (this.state === 'ready' && this.serverCapabilities?.logging && !this.speaksModern) {
      await this.send({ method: 'logging/setLevel', params: { level } });
    }
  }

  /** A reload changed its namespace or policy: the listing is rebuilt under the new names. */
  retune(config: UpstreamConfig): void {
    this.config = config;
    this.listingCache = undefined;
  }

  /** Ends the connection; calls still in flight fail with `reason` (removed from the config, shutting down). */
  async close(reason?: string): Promise<void> {
    if (this.state === 'closed') return;
    this.closedReason = reason;
    this.state = 'closed';
    this.listen.stop();
    this.stopHealthChecks();
    this.stopRestartListening();
    // A start under way still reports its outcome (connect()): it says how the upstream is.
    this.settleFirst();
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
    for (let renewed = false; ; renewed = true) {
      const client = this.client;
      if (this.state === 'closed' && this.closedReason) throw unavailable(this.name, this.closedReason);
      if (this.state !== 'ready' || !client) throw unavailable(this.name, this.downReason());
      try {
        this.lastSentId = undefined;
        const result = client.request(request as never, LooseResult, { ...options, timeout: this.config.timeoutMs });
        if (this.lastSentId !== undefined) onSent?.(this.lastSentId);
        return await result;
      } catch (error) {
        if (this.isClosed() && this.closedReason) throw unavailable(this.name, this.closedReason);
        // The server forgot our session (it restarted, or the session expired): a new one, and this call once more.
        if (!renewed && isSessionGone(error) && !options.signal?.aborted) {
          // A failed renewal leaves the upstream down, and the next turn says why.
          await this.renewSession(client).catch(() => {});
          continue;
        }
        const needsLogin = asNeedsLogin(error);
        if (needsLogin) this.awaitLogin(client, needsLogin.message);
        throw upstreamError(this.name, request.method, this.config.timeoutMs, error, this.childDiagnosis());
      }
    }
  }

  /** Why calls fail while the upstream is down: its own last error, or the policy's verdict once it has failed. */
  private downReason(): string {
    return this.health.failed ? this.health.describe() : (this.lastError ?? this.state);
  }

  /**
   * Initializes a new session with a remote server that answered 404 for ours, and swaps it
   * in; calls that found out together share the one renewal. Only this upstream is affected.
   */
  private renewSession(stale: Client): Promise<void> {
    if (this.client !== stale) return Promise.resolve(); // someone renewed it already
    this.renewing ??= (async () => {
      log.warn('the server no longer knows our session (HTTP 404): initializing a new one', { upstream: this.name });
      this.stopHealthChecks();
      this.client = undefined;
      void stale.close().catch(() => {});
      try {
        const client = await this.open();
        if (this.isClosed()) return void (await client.close());
        this.client = client;
        this.listingCache = undefined;
        this.startHealthChecks(client);
        await this.restoreState();
        this.emitStatus();
      } catch (error) {
        this.lost(withDiagnosis(`could not renew the session: ${errorText(error)}`, this.childDiagnosis()));
        throw error;
      }
    })().finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  /** One start, when the upstream's restart policy allows it; a failure leads to the next one. */
  private async connect(): Promise<void> {
    this.starting = true;
    if (this.health.holdingStarts) {
      // Backing off or failed: this session does not wait for it, nor start it on its own.
      this.state = 'down';
      this.lastError = this.health.describe();
      this.settleFirst();
    } else {
      this.state = 'connecting';
    }
    try {
      this.probing = await this.health.admit();
    } catch (error) {
      this.starting = false;
      if (!(error instanceof UpstreamFailedError) || this.isClosed()) return;
      // Failed for good: calls fail fast with the verdict until a manual restart (restartNow).
      this.state = 'down';
      this.lastError = error.message;
      this.settleFirst();
      return;
    }
    if (this.isClosed()) {
      this.starting = false;
      if (this.probing) this.health.abandon();
      return;
    }
    this.state = 'connecting';
    const slow = setTimeout(() => {
      const stderr = this.childDiagnosis(true);
      log.warn(`still starting after ${SLOW_START_MS / 1000} s${stderr ? ` (${stderr})` : ' (nothing on stderr yet)'}`, { upstream: this.name });
    }, SLOW_START_MS);
    slow.unref();
    try {
      const client = await this.open();
      this.starting = false;
      this.probing = false;
      this.health.success();
      if (this.isClosed()) {
        await client.close();
        return;
      }
      this.client = client;
      this.state = 'ready';
      this.everReady = true;
      this.lastError = undefined;
      this.listingCache = undefined;
      this.keepNextListing = true;
      log.info(`connected to ${this.serverInfo?.name ?? 'server'} ${this.serverInfo?.version ?? ''}`.trim(), { upstream: this.name });
      this.startHealthChecks(client);
      await this.restoreState();
      this.settleFirst();
      this.announceReady();
    } catch (error) {
      this.lastError = withDiagnosis(startError(error, this.config.timeoutMs), this.childDiagnosis(true));
      const wasProbing = this.probing;
      this.starting = false;
      this.probing = false;
      this.settleFirst();
      const needsLogin = asNeedsLogin(error);
      if (needsLogin) {
        // Not the server failing: it waits for a login, not for the restart policy.
        if (wasProbing) this.health.abandon();
        return this.awaitLogin(undefined, needsLogin.message);
      }
      if (isLoopRefusal(this.lastError)) {
        // Reconnecting would only start the loop again.
        if (this.isClosed()) return;
        this.state = 'down';
        log.error(`not connecting: ${this.lastError}`, { upstream: this.name });
        return;
      }
      // Counted even if this connection was closed meanwhile (its session ended): the upstream did fail.
      this.health.failure(this.lastError);
      if (this.isClosed()) return;
      log.warn(`connection failed: ${this.lastError}`, { upstream: this.name });
      this.state = 'down';
      void this.connect();
    } finally {
      clearTimeout(slow);
    }
  }

  /** Asks the upstream now and then whether it still answers; when it does not, it is down. */
  private startHealthChecks(client: Client): void {
    this.stopHealthChecks();
    const method = healthProbeMethod(client.getNegotiatedProtocolVersion());
    this.stopHealthChecks = startHealthChecks(
      this.config.healthCheck,
      async (timeoutMs) => {
        try {
          await client.request({ method } as never, LooseResult, { timeout: timeoutMs });
        } catch (error) {
          // A remote server that forgot our session is alive: renew the session instead.
          if (!isSessionGone(error)) throw error;
          await this.renewSession(client).catch(() => {});
        }
      },
      (reason) => {
        if (client !== this.client) return;
        // Its process (if any) is ended with the client: a hung server is replaced, not waited for.
        this.client = undefined;
        void client.close().catch(() => {});
        this.lost(reason);
      },
    );
  }

  /** `mcproxy restart NAME`: whatever this connection has, it starts afresh now. */
  private restartNow(): void {
    if (this.isClosed()) return;
    log.info('restarting on request', { upstream: this.name });
    this.listen.stop();
    this.stopHealthChecks();
    const client = this.client;
    this.client = undefined;
    this.listingCache = undefined;
    void client?.close().catch(() => {});
    // A connect() waiting in admit() is woken by the restart itself; otherwise one starts now.
    if (this.starting) return;
    this.state = 'connecting';
    this.emitStatus();
    void this.connect();
  }

  /** A fresh SDK client on a fresh transport; a remembered era that proves wrong is forgotten and probed at once (eraVerdicts.ts). */
  private async open(): Promise<Client> {
    const remembered = priorVerdict(this.config) !== undefined;
    try {
      return await this.openTransport();
    } catch (error) {
      if (!remembered || this.isClosed() || asNeedsLogin(error)) throw error;
      log.debug(`connect from the remembered protocol era failed (${errorText(error)}); probing`, { upstream: this.name });
      return this.openTransport();
    }
  }

  /** For a remote upstream, Streamable HTTP first, then SSE. */
  private async openTransport(): Promise<Client> {
    const config = this.config;
    if (isStdioUpstream(config)) {
      const transport = createStdioTransport(this.name, config);
      this.childDiagnosis = (stderrAlone) => describeChild(transport, stderrAlone);
      const send = transport.send.bind(transport); // as it is before openOver notes the SDK's request ids
      const client = await this.openOver(transport);
      const modern = client.getProtocolEra() === 'modern' ? ModernUpstream.of(client, this.clientInfo, this.capabilities) : undefined;
      // A 2026-07-28 upstream without the lane's side of it (see ModernUpstream.of) takes request() only.
      this.lane = client.getProtocolEra() !== 'modern' || modern ? (transport.lane = new UpstreamLane(send, this.laneLink, modern)) : undefined;
      return client;
    }
    const remote = config as RemoteUpstreamConfig & UpstreamConfig;
    // Only remote upstreams load the HTTP and SSE clients, and OAuth.
    const [{ createSseTransport, createStreamableHttpTransport }, { upstreamAuthFor }] = await Promise.all([import('./transports/http.js'), import('./oauth/upstreamAuth.js')]);
    if (!this.authMade) {
      this.auth = upstreamAuthFor(remote, this.caller);
      this.authMade = true;
    }
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
    // Until connected, the transport's errors are the connect failure itself, logged once by connect().
    let connected = false;
    client.onerror = (error) =>
      connected ? this.protocolNoise(`protocol error from the upstream: ${error.message}`) : log.debug(`while connecting: ${error.message}`, { upstream: this.name });
    client.onclose = () => this.onClosed(client);
    try {
      await client.connect(transport, { timeout: this.config.timeoutMs, prior: priorVerdict(this.config) });
      await confirmVerdict(this.config, client).catch(async (error: unknown) => {
        await client.close().catch(() => {});
        throw error;
      });
    } catch (error) {
      noteVerdict(this.config, undefined);
      throw error;
    }
    noteVerdict(this.config, client);
    noteExtensions(this.name, client.getServerCapabilities());
    connected = true;
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
      if (this.speaksModern) {
        // Not waited for: the first list need not wait for the stream that tells of its changes.
        void this.listen.update(this.client).catch((error: Error) => log.warn(`could not listen for changes: ${error.message}`, { upstream: this.name }));
        return;
      }
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
    this.lost(withDiagnosis('connection closed', this.childDiagnosis()));
  }

  /**
   * Starts a login a client can show its user (UpstreamAuth.offer); undefined where a browser
   * login is not how this upstream gets its tokens (client credentials, token exchange).
   */
  offerLogin(): Promise<LoginOffer> | undefined {
    return this.state === 'needs-login' ? this.auth?.offer() : undefined;
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

  /** A live connection is gone (closed, unanswered health check, unrenewable session): down, and back when the policy allows. */
  private lost(reason: string): void {
    if (this.isClosed()) return;
    this.listen.stop();
    this.stopHealthChecks();
    this.state = 'down';
    this.lastError = reason;
    this.listingCache = undefined;
    this.health.failure(reason);
    log.warn(`${reason}; ${this.health.failed ? 'not restarting it' : 'reconnecting'}`, { upstream: this.name });
    this.emitStatus();
    void this.connect();
  }

  /**
   * Ready: sessions hear it and list again, unless what they listed was its snapshot and the
   * live listing lists the same (a relaunch of an unchanged server changes nothing for them).
   */
  private announceReady(): void {
    const snapshot = this.snapshot;
    this.snapshot = undefined;
    if (!snapshot) return this.emitStatus();
    this.listing().then(
      (live) => !listsAlike(live, snapshot) && this.emitStatus(),
      () => this.emitStatus(),
    );
  }

  /** A first start that failed: sessions that listed its snapshot hear that its tools are gone. */
  private dropSnapshot(): void {
    if (!this.snapshot) return;
    this.snapshot = undefined;
    this.emitStatus();
  }

  private emitStatus(): void {
    this.attachments.status(this);
  }

  private onNotification(notification: Notification): void {
    if (notification.method.endsWith('/list_changed') && notification.method !== 'notifications/roots/list_changed') {
      this.listingCache = undefined;
    }
    this.attachments.notification(this, withoutSubscriptionId(notification));
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
  // A `protocol: auto` probe that could not reach the server: what stopped it says more.
  if (error instanceof SdkError && error.code === SdkErrorCode.EraNegotiationFailed && error.cause instanceof Error) return errorText(error.cause);
  const message = error.message;
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause && !message.includes(cause) ? `${message} (${cause})` : message;
}

/** Why a connection attempt failed; a timed-out initialize says how long it was given. */
function startError(error: unknown, timeoutMs: number): string {
  if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout) return `no answer to initialize within ${timeoutMs} ms (timeoutMs)`;
  return errorText(error);
}

function withDiagnosis(message: string, diagnosis: string | undefined): string {
  return diagnosis ? `${message}: ${diagnosis}` : message;
}
