// One client session: the MCP server a client talks to, the upstream connections opened for
// it, and its view of the catalog. Every message between this client and any upstream passes
// through here, which is what lets server→client requests, logs and resource updates find
// their way back to the right client.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { LoggingLevelSchema, type JSONRPCRequest, type LoggingLevel, type Notification, type Result } from '@modelcontextprotocol/sdk/types.js';
import { buildCatalog, type Catalog } from '../catalog/catalog.js';
import { emptyListing } from '../catalog/listing.js';
import type { ProxyConfig } from '../config/schema.js';
import { log } from '../log.js';
import { throttledWarn } from '../logThrottle.js';
import type { CallContext, UpstreamListener } from '../upstream/attachments.js';
import type { UpstreamConnection } from '../upstream/connection.js';
import { asClientError } from '../upstream/errors.js';
import type { UpstreamPool } from '../upstream/pool.js';
import { routeClientRequest } from './router.js';
import { forwardToClient } from './serverRequests.js';
import { exposeTaskParams } from './tasks.js';
import { PROXY_VERSION } from '../version.js';
import { guardListings, pinGuardFor } from '../security/pinGuard.js';

/** MCP log levels, least severe first. */
const LOG_SEVERITY: readonly LoggingLevel[] = LoggingLevelSchema.options;

/** How long a session's first requests wait for slow upstreams to connect. */
const FIRST_CONNECT_WAIT_MS = 10_000;

export class ClientSession implements UpstreamListener<UpstreamConnection> {
  readonly server: Server;
  /** Resource URIs this client subscribed to, and their upstream: only their updates reach it. */
  readonly subscriptions = new Map<string, string>();
  logLevel?: LoggingLevel;
  private connections?: Map<string, UpstreamConnection>;
  private firstAttempts?: Promise<unknown>;
  private catalogCache?: Promise<Catalog>;
  /** Tools and prompts tool pinning withholds, by "tool <name>", with the reason a call gets. */
  withheld = new Map<string, string>();
  private pinsVersion = -1;
  private closed = false;
  onclose?: () => void;

  constructor(
    readonly config: ProxyConfig,
    private readonly pool: UpstreamPool,
    readonly label = 'stdio',
  ) {
    this.server = new Server(
      { name: config.server.name, version: config.server.version ?? PROXY_VERSION },
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
    (this.server as unknown as { _requestMessageId: number })._requestMessageId = 1;
    // The proxy answers every method itself, from the raw request: no SDK schema strips fields.
    this.server.removeRequestHandler('logging/setLevel');
    this.server.fallbackRequestHandler = (request, extra) =>
      routeClientRequest(this, request as JSONRPCRequest, extra).catch((error: unknown) => {
        throw asClientError(error);
      });
    this.server.fallbackNotificationHandler = async (notification) => this.onClientNotification(notification);
    // Upstreams are told the client's capabilities, so they open once the client said them.
    this.server.oninitialized = () => void this.upstreams();
    this.server.onclose = () => void this.close();
    const protocolNoise = throttledWarn({ session: label });
    this.server.onerror = (error) => protocolNoise(`protocol error from the client: ${error.message}`);
  }

  connect(transport: Transport): Promise<void> {
    return this.server.connect(transport);
  }

  /**
   * This session's connection to each upstream, opened on first use. Waits for their first
   * attempts to settle, but not for long: an upstream that hangs must not hold the catalog
   * back; when it connects later, the client hears list_changed.
   */
  async upstreams(): Promise<Map<string, UpstreamConnection>> {
    if (!this.connections) {
      const capabilities = this.server.getClientCapabilities();
      this.connections = new Map(
        this.config.upstreams.map((upstream) => [upstream.name, this.pool.acquire(upstream, capabilities, this)]),
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
    const catalog = buildCatalog(pinned.listings, this.config.naming.separator);
    for (const note of catalog.notes) log.info(note, { session: this.label });
    return catalog;
  }

  onUpstreamStatus(_upstream: UpstreamConnection): void {
    this.catalogCache = undefined;
    if (!this.isInitialized()) return;
    for (const kind of ['tools', 'prompts', 'resources'] as const) {
      this.notifyClient({ method: `notifications/${kind}/list_changed` });
    }
  }

  onUpstreamNotification(upstream: UpstreamConnection, upstreamNotification: Notification, call?: CallContext): void {
    const notification = exposeTaskParams(this, upstream.name, upstreamNotification);
    const params = (notification.params ?? {}) as Record<string, unknown>;
    switch (notification.method) {
      case 'notifications/tools/list_changed':
      case 'notifications/prompts/list_changed':
      case 'notifications/resources/list_changed':
        this.catalogCache = undefined;
        this.notifyClient(notification);
        return;
      case 'notifications/resources/updated':
        if (this.subscriptions.has(params.uri as string)) this.notifyClient(notification);
        return;
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
    return forwardToClient(this, upstream, exposeTaskParams(this, upstream.name, request), signal, call);
  }

  /** Sends to the client: with the call it belongs to when there is one (its HTTP stream), else on its own. */
  notifyClient(notification: Notification, call?: CallContext): void {
    if (this.closed) return;
    const sent = call ? call.sendNotification(notification) : this.server.notification(notification as never);
    sent.catch((error: Error) => log.debug(`dropped ${notification.method}: ${error.message}`, { session: this.label }));
  }

  private isInitialized(): boolean {
    return this.server.getClientCapabilities() !== undefined;
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
    for (const [uri, upstream] of this.subscriptions) {
      const connection = this.connections?.get(upstream);
      if (connection?.config.shared) await connection.unsubscribe(uri, { uri }).catch(() => {});
    }
    await Promise.all(connections.map((connection) => this.pool.release(connection, this)));
    await this.server.close().catch(() => {});
    this.onclose?.();
  }
}
