// One client session: the MCP server a client talks to, the upstream connections opened for
// it, and its view of the catalog. Every message between this client and any upstream passes
// through here, which is what lets server→client requests, logs and resource updates find
// their way back to the right client.
import { LoggingLevelSchema } from '@modelcontextprotocol/core';
import { CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY, PROTOCOL_VERSION_META_KEY, ProtocolErrorCode, Server } from '@modelcontextprotocol/server';
import type { ClientCapabilities, Transport, JSONRPCRequest, LoggingLevel, Notification, RequestOptions, Result, ServerContext } from '@modelcontextprotocol/server';
import { buildCatalog, exposeUri, type Catalog, type Route } from '../catalog/catalog.js';
import { emptyListing } from '../catalog/listing.js';
import { viewOf, type View } from '../catalog/view.js';
import type { ProxyConfig } from '../config/schema.js';
import { MODERN_PROTOCOL } from '../config/erasSchema.js';
import type { ConfigDiff } from '../config/diff.js';
import { log } from '../log.js';
import { throttledWarn } from '../logThrottle.js';
import type { CallContext, UpstreamListener } from '../upstream/attachments.js';
import type { UpstreamConnection } from '../upstream/connection.js';
import { ForwardedError, unavailable } from '../upstream/errors.js';
import type { UpstreamPool } from '../upstream/pool.js';
import type { Caller } from '../upstream/oauth/upstreamAuth.js';
import { chainOf, loopRefusal, proxyIdentity, refuseLoops, withChain } from './chain.js';
import { routeClientRequest } from './router.js';
import { loginElicitation } from './loginElicitation.js';
import { forwardToClient } from './serverRequests.js';
import { exposeTaskParams } from './tasks.js';
import { PROXY_VERSION } from '../version.js';
import { extensionsOf } from '../upstream/declaredExtensions.js';
import type { SessionRecorder } from '../vcon/recorder.js';
import { guardListings, pinGuardFor } from '../security/pinGuard.js';
import { InflightRequests } from './inflight.js';
import { NO_FILTERS, onlyTraceFilters, runClientFilters, runUpstreamFilters, type RequestFilters } from '../telemetry/filters.js';
import { describeRequest } from './describeRequest.js';
import { toolSearchSettings } from '../toolSearch/settings.js';
import { perConnectionLists } from '../toolSearch/exposure.js';
import type { SearchMode } from './searchMode.js';
import { searchModeClass } from './searchModeLoader.js';
import { ClientListens } from './listen.js';
import { logPasses } from './logLevel.js';
import { MAX_INPUT_ROUNDS, serveThroughSeam } from './inputRequired.js';
import { requestStateCodec } from './requestState.js';
import { FastLane } from './fastLane.js';

/** MCP log levels, least severe first. */
const LOG_SEVERITY: readonly LoggingLevel[] = LoggingLevelSchema.options;

export interface SessionOptions {
  /** The profile whose view this session serves (undefined: the default view). */
  profile?: string;
  /** Records this session as vCons when `vcon:` is configured: taps its transport, hears its routes. */
  recorder?: SessionRecorder;
  /** The proxy's requests in flight, which a graceful shutdown waits for (inflight.ts). */
  inflight?: InflightRequests;
  /** Metrics, statistics and tracing around each client request and each upstream request it makes. */
  filters?: RequestFilters;
  /** Who the client is (HTTP with server.auth): `credentials: perUser` upstreams use their own login. */
  caller?: Caller;
}

export class ClientSession implements UpstreamListener<UpstreamConnection> {
  readonly server: Server;
  /** Resource URIs this client subscribed to (as it knows them), and their route: only their updates reach it. */
  readonly subscriptions = new Map<string, Route>();
  /** What a 2026-07-28 client's subscriptions/listen streams asked for (listen.ts). */
  readonly listens = new ClientListens(this);
  /** The upstreams and policies this session's catalog is made of (its profile); replaced by a reload. */
  view: View;
  readonly recorder?: SessionRecorder;
  private readonly filters: RequestFilters;
  /** Search mode (`toolSearch.enabled`): search_tools and call_tool instead of the whole catalog. */
  readonly search?: SearchMode;
  private readonly caller?: Caller;
  /** The catalog last built: new names never take one it gave away. */
  private lastCatalog?: Catalog;
  logLevel?: LoggingLevel;
  private connections?: Map<string, UpstreamConnection>;
  private firstAttempts?: Promise<unknown>;
  private firstListable?: Promise<unknown>;
  private catalogCache?: Promise<Catalog>;
  /** The catalog lists get while an upstream lists its snapshot (listedCatalog()): calls never route by it. */
  private listedCache?: Promise<Catalog>;
  /** Tools and prompts tool pinning withholds, by "tool <name>", with the reason a call gets. */
  withheld = new Map<string, string>();
  private pinsVersion = -1;
  private closed = false;
  private markEnded: () => void = () => {};
  /** Resolves once the session has closed. */
  readonly ended = new Promise<void>((resolve) => (this.markEnded = resolve));
  /** Whether the client used anything (a call, a read, a prompt, a subscription), not only listed. */
  used = false;
  /** Until the client has asked for a catalog, a list_changed would only tell it what its first list will. */
  private catalogServed = false;
  onclose?: () => void;
  private declaredCapabilities?: ClientCapabilities;
  /** The last 2026-07-28 envelope the SDK validated and the loop check passed. */
  acceptedEnvelope?: Record<string, unknown>;
  /** The version a 2026-07-28 client names in its requests' `_meta`. */
  private declaredProtocol?: string;
  private readonly protocolNoise: (message: string) => void;
  /** Calls in flight, so that a shutdown can let them finish (or end them) before it closes. */
  private readonly inflight: InflightRequests;
  /** Signs and reads back the requestState of multi round-trip requests, bound to this client (requestState.ts). */
  readonly requestStates: ReturnType<typeof requestStateCodec>;

  constructor(
    /** Replaced by a reload (applyConfig). */
    public config: ProxyConfig,
    private readonly pool: UpstreamPool,
    readonly label = 'stdio',
    options: SessionOptions = {},
  ) {
    this.view = viewOf(config, options.profile);
    this.recorder = options.recorder;
    this.caller = options.caller;
    this.protocolNoise = throttledWarn({ session: label });
    this.inflight = options.inflight ?? new InflightRequests();
    this.filters = options.filters ?? NO_FILTERS;
    this.requestStates = requestStateCodec(config.server.stateKey, (ctx) => this.identity(ctx));

    const searchSettings = toolSearchSettings(config, this.view.profile);
    if (searchSettings.enabled) {
      this.search = new (searchModeClass())(
        searchSettings,
        (upstream) => this.upstreamDescription(upstream),
        // A 2026-07-28 client gets the same list as every other: found tools join none.
        () => searchSettings.expose === 'dynamic' && perConnectionLists(this.protocolVersion()),
        () => this.notifyClient({ method: 'notifications/tools/list_changed' }),
        () => this.withheld,
      );
    }
    this.server = this.newServer();
    // A proxy that finds itself in its client's chain of proxies is in a loop: it refuses the
    // initialize before any upstream opens, and ends the session once the refusal is on its way.
    refuseLoops(this.server, proxyIdentity(config), (refusal) => {
      log.error(refusal, { session: this.label });
      setTimeout(() => void this.close(), 100);
    });
    // Upstreams are told the client's capabilities, so they open once the client said them.
    this.server.oninitialized = () => void this.upstreams();
    this.server.onclose = () => void this.close();
  }

  /**
   * An MCP server answering for this session. The session's own `server` serves a connection;
   * a 2026-07-28 client over HTTP has none, and each of its requests gets one of these.
   */
  newServer(): Server {
    const server = new Server(
      { name: this.config.server.name, version: this.config.server.version ?? PROXY_VERSION },
      {
        capabilities: {
          tools: { listChanged: true },
          prompts: { listChanged: true },
          resources: { subscribe: true, listChanged: true },
          logging: {},
          completions: {},
          // Passed through to upstreams that support tasks; tools say which in `execution.taskSupport`.
          tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
          // Extensions the upstreams declared (MCP Apps, ...), as far as the process knows them.
          ...extensionsOf(this.view.upstreams),
        },
        requestState: { verify: (state, ctx) => this.requestStates.verify(state, ctx) },
        inputRequired: { maxRounds: MAX_INPUT_ROUNDS },
      },
    );
    // SDK peers ignore notifications/cancelled for request id 0 (a falsy check), so the proxy's
    // requests to its client start at 1: a sampling or elicitation request the upstream gives
    // up on must be cancellable at the client too. (Harmless if the SDK renames the field.)
    (server as unknown as { _requestMessageId: number })._requestMessageId = 1;
    // The proxy answers every method itself, from the raw request: no SDK schema strips fields.
    server.removeRequestHandler('logging/setLevel');
    server.fallbackRequestHandler = async (request, ctx) => {
      const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
      this.takeEnvelope(envelope);
      // The SDK validated it and the loop check passed: the fast lane may take calls carrying the same (modernLane.ts).
      if (envelope?.[CLIENT_CAPABILITIES_META_KEY]) this.acceptedEnvelope = envelope;
      const serve = (served: JSONRPCRequest, servedCtx: ServerContext) => {
        const attempt = () =>
          this.inflight.track(servedCtx.mcpReq.signal, (signal) => routeClientRequest(this, served, { ...servedCtx, mcpReq: { ...servedCtx.mcpReq, signal } }));
        // An upstream waiting for a login: the client is offered it, and the request runs again once done.
        return attempt().catch((error: unknown) => loginElicitation(this, error, servedCtx, attempt));
      };
      // Calls, prompts and reads may take several rounds (inputRequired.ts).
      const route = () => serveThroughSeam(server, request as JSONRPCRequest, ctx, serve);
      if (this.filters.client.length === 0) return route();
      const described = describeRequest(this.label, this.config.server.transport, request, ctx);
      return runClientFilters(this.filters.client, described, route) as Promise<Result>;
    };
    server.fallbackNotificationHandler = async (notification) => this.onClientNotification(notification);
    server.onerror = (error) => this.protocolNoise(`protocol error from the client: ${error.message}`);
    return server;
  }

  /**
   * A 2026-07-28 client says its version and capabilities (with the chain of proxies) in every
   * request's `_meta`: the first say fixes what its upstreams are told. Called for every request
   * before anything can open an upstream (a listen may, before the SDK routes it).
   */
  takeEnvelope(envelope: Record<string, unknown> | undefined): void {
    const version = envelope?.[PROTOCOL_VERSION_META_KEY];
    if (typeof version === 'string') this.declaredProtocol ??= version;
    const declared = envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined;
    if (!declared) return;
    const refusal = loopRefusal(chainOf(declared), proxyIdentity(this.config));
    if (refusal) throw new ForwardedError(ProtocolErrorCode.InvalidRequest, refusal);
    this.declaredCapabilities ??= declared;
  }

  /**
   * The protocol version the client speaks: named in its requests' `_meta` (2026-07-28), else
   * the one initialize negotiated (2025-11-25 and before); undefined before either.
   */
  protocolVersion(): string | undefined {
    return this.declaredProtocol ?? this.server.getNegotiatedProtocolVersion();
  }

  /** Whether the client speaks 2026-07-28 (per-request `_meta`, no server→client requests, caching hints). */
  speaksModern(): boolean {
    const version = this.protocolVersion();
    return version !== undefined && version >= MODERN_PROTOCOL;
  }

  /** Who a requestState is bound to: the authenticated person (server.auth) and the client's name. */
  private identity(ctx: ServerContext): string {
    const info = (ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[CLIENT_INFO_META_KEY] as { name?: unknown } | undefined;
    return JSON.stringify([this.caller?.subject ?? '', info?.name ?? this.server.getClientVersion()?.name ?? '']);
  }

  /** What the client declared: at initialize (2025-11-25), or in its first request's `_meta` (2026-07-28). */
  clientCapabilities(): ClientCapabilities | undefined {
    return this.server.getClientCapabilities() ?? this.declaredCapabilities;
  }

  /** An HTTP session's transport: recorded (when vCons are on), with the fast lane in front of the server. */
  connect(transport: Transport): Promise<void> {
    return this.server.connect(this.withFastLane(this.tap(transport)));
  }

  /** The client's transport as the session uses it: recorded, when vCons are on. */
  tap(transport: Transport): Transport {
    return this.recorder ? this.recorder.wrap(transport) : transport;
  }

  /**
   * The client's transport with the fast lane in front of the session's server (fastLane.ts;
   * after the recorder's tap: recordings see its calls), running the request filters (metrics,
   * span export) around its calls where there are any. None in search mode.
   */
  withFastLane(transport: Transport): Transport {
    if (this.search) return transport;
    return new FastLane(this, this.inflight, onlyTraceFilters(this.filters) ? undefined : this.filters).wrap(transport);
  }

  /** Runs `send`, so that what it sends the client is recorded as coming from `upstream`. */
  private fromUpstream<T>(upstream: UpstreamConnection, send: () => T): T {
    return this.recorder ? this.recorder.from({ name: upstream.name, serverInfo: upstream.serverInfo }, send) : send();
  }

  /**
   * This session's connection to each upstream, opened on first use. Waits for their first
   * attempts to settle, but not for long: an upstream that hangs must not hold the catalog
   * back; when it connects later, the client hears list_changed.
   */
  async upstreams(): Promise<Map<string, UpstreamConnection>> {
    const connections = this.openConnections();
    this.firstAttempts ??= this.atMostFirstListWait(Promise.all([...connections.values()].map((connection) => connection.whenSettled())));
    await this.firstAttempts;
    return connections;
  }

  /**
   * upstreams() for a list: one still in its first start that lists what it listed last launch
   * (listingSnapshot.ts) is not waited for.
   */
  private async listableUpstreams(): Promise<Map<string, UpstreamConnection>> {
    const connections = this.openConnections();
    this.firstListable ??= this.atMostFirstListWait(Promise.all([...connections.values()].map((connection) => connection.whenListable())));
    await this.firstListable;
    return connections;
  }

  private openConnections(): Map<string, UpstreamConnection> {
    if (!this.connections) {
      const capabilities = this.capabilitiesForUpstreams();
      this.connections = new Map(
        this.view.upstreams.map((upstream) => [upstream.name, this.pool.acquire(upstream, capabilities, this, this.caller)]),
      );
    }
    return this.connections;
  }

  private atMostFirstListWait(first: Promise<unknown>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([first, new Promise<void>((resolve) => (timer = setTimeout(resolve, this.config.server.firstListWaitMs)))]).then(() => clearTimeout(timer));
  }

  /**
   * Upstreams learn the chain of proxies they sit behind, this one last (see chain.ts). A
   * 2026-07-28 client declares its capabilities per request (`declared`): its upstream
   * connections offer sampling and elicitation too, and each request that lacks what the
   * upstream asks for gets -32021 (inputRequired.ts).
   */
  capabilitiesForUpstreams(declared?: ClientCapabilities): ClientCapabilities {
    const client = declared ?? this.clientCapabilities();
    const offered = this.declaredProtocol && !declared ? { sampling: {}, elicitation: { form: {}, url: {} }, ...client } : client;
    return withChain(offered, [...chainOf(client), proxyIdentity(this.config)]);
  }

  /**
   * A reload: this session takes on the new config. Connections to removed or restarted
   * upstreams go (calls in flight on them fail with the reason), new upstreams are connected,
   * the rest stay as they are; the client hears list_changed for each list that changed.
   */
  async applyConfig(config: ProxyConfig, diff: ConfigDiff): Promise<void> {
    if (this.closed) return;
    let view: View;
    try {
      view = viewOf(config, this.view.profile);
    } catch (error) {
      // Its profile is gone from the config: the session ends rather than serve what was removed.
      log.warn(`reload: ${(error as Error).message}; ending this session`, { session: this.label });
      await this.close();
      return;
    }
    this.config = config;
    this.view = view;
    if (this.connections) {
      const wanted = new Map(view.upstreams.map((upstream) => [upstream.name, upstream]));
      const drops: Promise<void>[] = [];
      for (const [name, connection] of this.connections) {
        const upstream = wanted.get(name);
        const reason =
          diff.removed.includes(name) ? 'removed from the config'
          : diff.restarted.includes(name) ? 'restarting: its config changed'
          : !upstream ? 'no longer in this profile'
          : undefined;
        if (reason) {
          this.connections.delete(name);
          drops.push(this.pool.drop(connection, this, reason));
        } else if (upstream && diff.retuned.includes(name)) {
          connection.retune(upstream);
        }
      }
      const capabilities = this.capabilitiesForUpstreams();
      for (const [name, upstream] of wanted) {
        if (!this.connections.has(name)) this.connections.set(name, this.pool.acquire(upstream, capabilities, this));
      }
      await Promise.all(drops);
    }
    this.forgetCatalog();
    if (!this.isInitialized() || !this.catalogServed || !this.lastCatalog) return;
    const before = this.lastCatalog;
    const after = await this.catalog();
    for (const [kind, lists] of [['tools', ['tools']], ['prompts', ['prompts']], ['resources', ['resources', 'resourceTemplates']]] as const) {
      if (lists.some((list) => JSON.stringify(before[list]) !== JSON.stringify(after[list]))) {
        this.notifyClient({ method: `notifications/${kind}/list_changed` });
      }
    }
  }

  /** What tool search indexes of an upstream besides its tools: its key, namespace, name and instructions. */
  private upstreamDescription(upstream: string) {
    const connection = this.connections?.get(upstream);
    const info = connection?.serverInfo as { name?: string; title?: string } | undefined;
    const title = info?.title ?? info?.name;
    const instructions = connection?.instructions;
    return { name: upstream, namespace: connection?.config.namespace, ...(title && { title }), ...(instructions && { instructions }) };
  }

  /** Upstreams of this session still in their first start, and whether `name` is in one's namespace. */
  startingUpstreams(name: string): Array<{ name: string; owns: boolean; seconds: number }> {
    const separator = this.config.naming.separator;
    return [...(this.connections?.values() ?? [])]
      .filter((connection) => connection.firstStarting)
      .map((connection) => ({
        name: connection.name,
        owns: connection.config.namespace !== '' && name.startsWith(`${connection.config.namespace}${separator}`),
        seconds: connection.startingFor,
      }));
  }

  /** connection() without waiting, for a caller that already saw this session's catalog built (so its connections are open): the fast lane's. */
  connectionNow(upstream: string): UpstreamConnection | undefined {
    return this.connections?.get(upstream);
  }

  async connection(upstream: string): Promise<UpstreamConnection> {
    const connection = (await this.upstreams()).get(upstream);
    if (!connection) throw new Error(`no upstream named ${upstream}`);
    return connection;
  }

  /** One request to an upstream on this session's behalf, through the upstream filters (metrics, tracing). */
  upstreamCall(connection: UpstreamConnection, request: { method: string; params: Record<string, unknown> }, options: Omit<RequestOptions, 'timeout'>, context?: CallContext): Promise<Result> {
    if (this.filters.upstream.length === 0) return connection.request(this, request, options, context);
    const call = { session: this.label, upstream: connection.name, method: request.method, params: request.params };
    return runUpstreamFilters(this.filters.upstream, call, (sent) => connection.request(this, { method: sent.method, params: sent.params }, options, context)) as Promise<Result>;
  }

  /**
   * For an unknown name in the namespace of an upstream that could not connect for want of a
   * login or a token (so its names were never listed): the error that says why, not "Unknown tool".
   */
  unavailableOwner(name: unknown): ForwardedError | undefined {
    if (typeof name !== 'string') return undefined;
    const separator = this.config.naming.separator;
    for (const connection of this.connections?.values() ?? []) {
      const prefix = connection.config.namespace === '' ? '' : `${connection.config.namespace}${separator}`;
      // (Other failures of other upstreams keep "Unknown tool" for now: issue 18 reworks those messages.)
      const failed = connection.state === 'needs-login' || (connection.state === 'down' && connection.usesOAuth && connection.lastError !== undefined);
      if (failed && name.startsWith(prefix)) return unavailable(connection.name, connection.lastError ?? connection.state);
    }
    return undefined;
  }

  /** The catalog as this session sees it, rebuilt after any upstream says its lists changed. */
  catalog(): Promise<Catalog> {
    // `mcproxy pins accept` changed the pin file: what was withheld may be served now.
    const pinsVersion = pinGuardFor(this.config).refresh();
    if (pinsVersion !== this.pinsVersion) {
      this.pinsVersion = pinsVersion;
      this.forgetCatalog();
    }
    this.catalogCache ??= this.buildCatalog(this.upstreams());
    return this.catalogCache;
  }

  /**
   * The catalog a list is answered from. While an upstream in its first start lists what it
   * listed last launch (listingSnapshot.ts), one made of that, without waiting for it; calls
   * route by catalog(), which waits for first starts as ever (a tool it did not list then, a
   * subscription, a task: each needs the upstream itself).
   */
  listedCatalog(): Promise<Catalog> {
    if (this.catalogCache || ![...this.openConnections().values()].some((connection) => connection.servesSnapshot)) return this.catalog();
    this.listedCache ??= this.buildCatalog(this.listableUpstreams());
    return this.listedCache;
  }

  /** The upstreams' lists changed (or may have): both catalogs are built afresh when next asked for. */
  private forgetCatalog(): void {
    this.catalogCache = undefined;
    this.listedCache = undefined;
  }

  private async buildCatalog(opened: Promise<Map<string, UpstreamConnection>>): Promise<Catalog> {
    const connections = [...(await opened).values()];
    // What changed while the first attempts were awaited is in this catalog; only later changes are news.
    this.catalogServed = true;
    const listings = await Promise.all(
      connections.map((connection) =>
        connection.listing().catch((error: Error) => {
          log.warn(`listing failed: ${error.message}`, { upstream: connection.name, session: this.label });
          this.forgetCatalog();
          return emptyListing(connection.name, connection.config.namespace);
        }),
      ),
    );
    const pinned = guardListings(this.config, listings);
    this.tellWithheld(pinned.withheld);
    this.withheld = pinned.withheld;
    this.pinsVersion = pinGuardFor(this.config).version; // our own first pins are no reason to rebuild
    const catalog = buildCatalog(pinned.listings, { ...this.view.catalogOptions, previous: this.lastCatalog });
    // Collisions and typos are said once, not at every rebuild.
    const said = new Set(this.lastCatalog?.notes);
    for (const note of catalog.notes.filter((note) => !said.has(note))) log.warn(note, { session: this.label });
    this.lastCatalog = catalog;
    return catalog;
  }

  /**
   * The client hears of each tool or prompt pinning starts to withhold (a log message naming it
   * and the commands that show and accept the change): otherwise it would just vanish.
   */
  private tellWithheld(withheld: ReadonlyMap<string, string>): void {
    const warningShown = !this.logLevel || LOG_SEVERITY.indexOf(this.logLevel) <= LOG_SEVERITY.indexOf('warning');
    if (!warningShown) return;
    for (const [key, message] of withheld) {
      if (!this.withheld.has(key)) this.notifyClient({ method: 'notifications/message', params: { level: 'warning', logger: 'mcproxy', data: message } });
    }
  }

  onUpstreamStatus(_upstream: UpstreamConnection): void {
    this.forgetCatalog();
    if (!this.isInitialized() || !this.catalogServed) return;
    for (const kind of ['tools', 'prompts', 'resources'] as const) {
      this.notifyClient({ method: `notifications/${kind}/list_changed` });
    }
  }

  onUpstreamNotification(upstream: UpstreamConnection, notification: Notification, call?: CallContext): void {
    this.fromUpstream(upstream, () => this.relayNotification(upstream, notification, call));
  }

  private relayNotification(upstream: UpstreamConnection, upstreamNotification: Notification, call?: CallContext): void {
    const notification = exposeTaskParams(this, upstream.name, upstreamNotification);
    const params = (notification.params ?? {}) as Record<string, unknown>;
    switch (notification.method) {
      case 'notifications/tools/list_changed':
      case 'notifications/prompts/list_changed':
      case 'notifications/resources/list_changed':
        this.forgetCatalog();
        if (this.catalogServed || this.listens.listening) this.notifyClient(notification);
        return;
      case 'notifications/resources/updated': {
        // The client hears of the URI it subscribed to, which may be the namespaced form.
        const uri = this.lastCatalog ? exposeUri(this.lastCatalog, upstream.name, params.uri as string) : (params.uri as string);
        if (this.subscriptions.has(uri) || this.listens.holds(uri)) this.notifyClient({ ...notification, params: { ...params, uri } });
        return;
      }
      case 'notifications/message': {
        // The level of the call it came with (a 2026-07-28 request's own), else the session's.
        if (!logPasses(params.level, call?.logThreshold ?? (this.declaredProtocol ? 'off' : this.logLevel))) return;
        // The client sees which upstream spoke in `logger`.
        const logger = params.logger ? `${upstream.name}/${params.logger}` : upstream.name;
        this.notifyClient({ method: notification.method, params: { ...params, logger } }, call);
        return;
      }
      default:
        this.notifyClient(notification, call);
    }
  }

  onUpstreamRequest(upstream: UpstreamConnection, request: JSONRPCRequest, signal: AbortSignal, call?: CallContext): Promise<Result> {
    return this.fromUpstream(upstream, () => forwardToClient(this, upstream, exposeTaskParams(this, upstream.name, request), signal, call));
  }

  /** Sends to the client: with the call it belongs to when there is one (its HTTP stream), else on its own. */
  notifyClient(notification: Notification, call?: CallContext): void {
    if (this.closed || (!call && this.listens.publish(notification))) return;
    const sent = call ? call.sendNotification(notification) : this.server.notification(notification as never);
    sent.catch((error: Error) => log.debug(`dropped ${notification.method}: ${error.message}`, { session: this.label }));
  }

  private isInitialized(): boolean {
    return this.clientCapabilities() !== undefined;
  }

  private async onClientNotification(notification: Notification): Promise<void> {
    if (notification.method === 'notifications/roots/list_changed') {
      for (const connection of (await this.upstreams()).values()) {
        if (connection.declaredRoots) await connection.notify(notification);
      }
      return;
    }
    log.debug(`ignored client notification ${notification.method}`, { session: this.label });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const connections = [...(this.connections?.values() ?? [])];
    await this.listens.closeAll();
    // A shared upstream outlives this session: take back what it subscribed to there.
    for (const { upstream, original } of this.subscriptions.values()) {
      const connection = this.connections?.get(upstream);
      if (connection?.config.shared) await connection.unsubscribe(original, { uri: original }).catch(() => {});
    }
    await Promise.all(connections.map((connection) => this.pool.release(connection, this)));
    await this.server.close().catch(() => {});
    // The vCon is finished and delivered off to the side; shutdown waits for it, bounded.
    void this.recorder?.end();
    this.markEnded();
    this.onclose?.();
  }
}
