// One client session: the MCP server a client talks to, the upstream connections opened for
// it, and its view of the catalog. Every message between this client and any upstream passes
// through here, which is what lets server→client requests, logs and resource updates find
// their way back to the right client.
import { LoggingLevelSchema } from '@modelcontextprotocol/core';
import { CLIENT_CAPABILITIES_META_KEY, ProtocolErrorCode, Server } from '@modelcontextprotocol/server';
import type { ClientCapabilities, Transport, JSONRPCRequest, LoggingLevel, Notification, Result } from '@modelcontextprotocol/server';
import { buildCatalog, exposeUri, type Catalog, type Route } from '../catalog/catalog.js';
import { emptyListing } from '../catalog/listing.js';
import { viewOf, type View } from '../catalog/view.js';
import type { ProxyConfig } from '../config/schema.js';
import { log } from '../log.js';
import { throttledWarn } from '../logThrottle.js';
import type { CallContext, UpstreamListener } from '../upstream/attachments.js';
import type { UpstreamConnection } from '../upstream/connection.js';
import { asClientError, ForwardedError } from '../upstream/errors.js';
import type { UpstreamPool } from '../upstream/pool.js';
import { chainOf, loopRefusal, proxyIdentity, refuseLoops, withChain } from './chain.js';
import { routeClientRequest } from './router.js';
import { forwardToClient } from './serverRequests.js';
import { exposeTaskParams } from './tasks.js';
import { PROXY_VERSION } from '../version.js';
import type { SessionRecorder } from '../vcon/recorder.js';
import { guardListings, pinGuardFor } from '../security/pinGuard.js';

/** MCP log levels, least severe first. */
const LOG_SEVERITY: readonly LoggingLevel[] = LoggingLevelSchema.options;

/** How long a session's first requests wait for slow upstreams to connect. */
const FIRST_CONNECT_WAIT_MS = 10_000;

export interface SessionOptions {
  /** The profile whose view this session serves (undefined: the default view). */
  profile?: string;
  /** Records this session as vCons when `vcon:` is configured: taps its transport, hears its routes. */
  recorder?: SessionRecorder;
}

export class ClientSession implements UpstreamListener<UpstreamConnection> {
  readonly server: Server;
  /** Resource URIs this client subscribed to (as it knows them), and their route: only their updates reach it. */
  readonly subscriptions = new Map<string, Route>();
  /** The upstreams and policies this session's catalog is made of (its profile). */
  readonly view: View;
  readonly recorder?: SessionRecorder;
  /** The catalog last built: new names never take one it gave away. */
  private lastCatalog?: Catalog;
  logLevel?: LoggingLevel;
  private connections?: Map<string, UpstreamConnection>;
  private firstAttempts?: Promise<unknown>;
  private catalogCache?: Promise<Catalog>;
  /** Tools and prompts tool pinning withholds, by "tool <name>", with the reason a call gets. */
  withheld = new Map<string, string>();
  private pinsVersion = -1;
  private closed = false;
  /** Until the client has asked for a catalog, a list_changed would only tell it what its first list will. */
  private catalogServed = false;
  onclose?: () => void;
  private declaredCapabilities?: ClientCapabilities;
  private readonly protocolNoise: (message: string) => void;

  constructor(
    readonly config: ProxyConfig,
    private readonly pool: UpstreamPool,
    readonly label = 'stdio',
    options: SessionOptions = {},
  ) {
    this.view = viewOf(config, options.profile);
    this.recorder = options.recorder;
    this.protocolNoise = throttledWarn({ session: label });
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
        },
      },
    );
    // SDK peers ignore notifications/cancelled for request id 0 (a falsy check), so the proxy's
    // requests to its client start at 1: a sampling or elicitation request the upstream gives
    // up on must be cancellable at the client too. (Harmless if the SDK renames the field.)
    (server as unknown as { _requestMessageId: number })._requestMessageId = 1;
    // The proxy answers every method itself, from the raw request: no SDK schema strips fields.
    server.removeRequestHandler('logging/setLevel');
    server.fallbackRequestHandler = async (request, ctx) => {
      // A 2026-07-28 client says its capabilities (and the chain of proxies) in every request.
      const declared = (ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined;
      if (declared) {
        const refusal = loopRefusal(chainOf(declared), proxyIdentity(this.config));
        if (refusal) throw new ForwardedError(ProtocolErrorCode.InvalidRequest, refusal);
        this.declaredCapabilities ??= declared;
      }
      return routeClientRequest(this, request as JSONRPCRequest, ctx).catch((error: unknown) => {
        throw asClientError(error);
      });
    };
    server.fallbackNotificationHandler = async (notification) => this.onClientNotification(notification);
    server.onerror = (error) => this.protocolNoise(`protocol error from the client: ${error.message}`);
    return server;
  }

  /** What the client declared: at initialize (2025-11-25), or in its first request's `_meta` (2026-07-28). */
  clientCapabilities(): ClientCapabilities | undefined {
    return this.server.getClientCapabilities() ?? this.declaredCapabilities;
  }

  connect(transport: Transport): Promise<void> {
    return this.server.connect(this.tap(transport));
  }

  /** The client's transport as the session uses it: recorded, when vCons are on. */
  tap(transport: Transport): Transport {
    return this.recorder ? this.recorder.wrap(transport) : transport;
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
    if (!this.connections) {
      // Upstreams learn the chain of proxies they sit behind, this one last (see chain.ts).
      const client = this.clientCapabilities();
      const capabilities = withChain(client, [...chainOf(client), proxyIdentity(this.config)]);
      this.connections = new Map(
        this.view.upstreams.map((upstream) => [upstream.name, this.pool.acquire(upstream, capabilities, this)]),
      );
      const settled = Promise.all([...this.connections.values()].map((connection) => connection.whenSettled()));
      let timer: NodeJS.Timeout | undefined;
      this.firstAttempts = Promise.race([settled, new Promise<void>((resolve) => (timer = setTimeout(resolve, FIRST_CONNECT_WAIT_MS)))]).then(
        () => clearTimeout(timer),
      );
    }
    await this.firstAttempts;
    return this.connections;
  }

  async connection(upstream: string): Promise<UpstreamConnection> {
    const connection = (await this.upstreams()).get(upstream);
    if (!connection) throw new Error(`no upstream named ${upstream}`);
    return connection;
  }

  /** The catalog as this session sees it, rebuilt after any upstream says its lists changed. */
  catalog(): Promise<Catalog> {
    // `mcproxy pins accept` changed the pin file: what was withheld may be served now.
    const pinsVersion = pinGuardFor(this.config).refresh();
    if (pinsVersion !== this.pinsVersion) {
      this.pinsVersion = pinsVersion;
      this.catalogCache = undefined;
    }
    this.catalogCache ??= this.buildCatalog();
    return this.catalogCache;
  }

  private async buildCatalog(): Promise<Catalog> {
    const connections = [...(await this.upstreams()).values()];
    // What changed while the first attempts were awaited is in this catalog; only later changes are news.
    this.catalogServed = true;
    const listings = await Promise.all(
      connections.map((connection) =>
        connection.listing().catch((error: Error) => {
          log.warn(`listing failed: ${error.message}`, { upstream: connection.name, session: this.label });
          this.catalogCache = undefined;
          return emptyListing(connection.name, connection.config.namespace);
        }),
      ),
    );
    const pinned = guardListings(this.config, listings);
    this.withheld = pinned.withheld;
    this.pinsVersion = pinGuardFor(this.config).version; // our own first pins are no reason to rebuild
    const catalog = buildCatalog(pinned.listings, { ...this.view.catalogOptions, previous: this.lastCatalog });
    // Collisions and typos are said once, not at every rebuild.
    const said = new Set(this.lastCatalog?.notes);
    for (const note of catalog.notes.filter((note) => !said.has(note))) log.warn(note, { session: this.label });
    this.lastCatalog = catalog;
    return catalog;
  }

  onUpstreamStatus(_upstream: UpstreamConnection): void {
    this.catalogCache = undefined;
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
        this.catalogCache = undefined;
        if (this.catalogServed) this.notifyClient(notification);
        return;
      case 'notifications/resources/updated': {
        // The client hears of the URI it subscribed to, which may be the namespaced form.
        const uri = this.lastCatalog ? exposeUri(this.lastCatalog, upstream.name, params.uri as string) : (params.uri as string);
        if (this.subscriptions.has(uri)) this.notifyClient({ ...notification, params: { ...params, uri } });
        return;
      }
      case 'notifications/message': {
        if (this.logLevel && LOG_SEVERITY.indexOf(params.level as LoggingLevel) < LOG_SEVERITY.indexOf(this.logLevel)) return;
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
    if (this.closed) return;
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
    // A shared upstream outlives this session: take back what it subscribed to there.
    for (const { upstream, original } of this.subscriptions.values()) {
      const connection = this.connections?.get(upstream);
      if (connection?.config.shared) await connection.unsubscribe(original, { uri: original }).catch(() => {});
    }
    await Promise.all(connections.map((connection) => this.pool.release(connection, this)));
    await this.server.close().catch(() => {});
    // The vCon is finished and delivered off to the side; shutdown waits for it, bounded.
    void this.recorder?.end();
    this.onclose?.();
  }
}
