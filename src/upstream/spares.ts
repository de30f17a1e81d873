// Warm spare connections (HTTP mode): for a stdio upstream that gives each session a connection
// of its own, a few connections already spawned, initialized and listed, so that a new session
// takes one instead of waiting for a child process to start; a replacement starts in the
// background. A connection is initialized with its client's capabilities (and chain of
// proxies), so spares are kept per kind of client: one initialized for one kind never serves
// another, and the first session of a kind pays the start.
import type { ClientCapabilities, JSONRPCRequest, Notification, Result } from '@modelcontextprotocol/server';
import type { UpstreamConfig } from '../config/schema.js';
import { isStdioUpstream } from '../config/upstreamKind.js';
import { log } from '../log.js';
import type { UpstreamListener } from './attachments.js';
import type { UpstreamConnection } from './connection.js';

/** Kinds of client kept per upstream (least recently seen go first): bounds what spares cost. */
const MAX_KINDS = 4;
/** A replacement starts this long after the taken connection settled: the session's first list goes first. */
const REFILL_DELAY_MS = 100;
/**
 * What a spare's server asked before its session came reaches the session this long after: a
 * Streamable HTTP client opens the stream that carries requests to it only after initialize, and
 * what is sent before is lost (a fresh connection's server would have asked later still).
 */
const HELD_REQUEST_DELAY_MS = 500;

/** How many spares of each kind `upstream` keeps: stdio, not shared, `spares` (default 1). */
export function sparesFor(upstream: UpstreamConfig): number {
  if (!isStdioUpstream(upstream) || upstream.shared) return 0;
  return upstream.spares ?? 1;
}

/** The same capabilities give the same kind, whatever order their keys came in. */
export function kindOf(capabilities: ClientCapabilities): string {
  return JSON.stringify(capabilities, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}

/**
 * An idle spare: nobody hears what its upstream says meanwhile (logs are dropped; a list change
 * refetches the listing, so the session still gets a fresh one at once), and a request it
 * sends (roots/list at start) waits for the session that takes it.
 */
class IdleSpare implements UpstreamListener<UpstreamConnection> {
  private readonly held: Array<(listener: UpstreamListener<UpstreamConnection> | undefined) => void> = [];

  constructor(readonly connection: UpstreamConnection) {
    connection.attach(this);
  }

  onUpstreamNotification(_upstream: UpstreamConnection, notification: Notification): void {
    if (notification.method.endsWith('/list_changed')) this.warm();
  }

  /** (Re)connected: list at once. */
  onUpstreamStatus(): void {
    this.warm();
  }

  onUpstreamRequest(upstream: UpstreamConnection, request: JSONRPCRequest, signal: AbortSignal): Promise<Result> {
    log.debug(`spare holds ${request.method} for the session that takes it`, { upstream: upstream.name });
    return new Promise<Result>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.held.push((listener) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) return; // the upstream gave up on it meanwhile
        if (!listener) return reject(new Error('mcproxy discarded this spare connection'));
        listener.onUpstreamRequest(upstream, request, signal).then(resolve, reject);
      });
    });
  }

  /** Fetches the listing (cached by the connection until the upstream says it changed). */
  warm(): void {
    if (this.connection.state !== 'ready') return;
    this.connection.listing().catch((error: Error) => log.debug(`spare could not list: ${error.message}`, { upstream: this.connection.name }));
  }

  /** The session's from now on, with what the upstream asked meanwhile. */
  handOver(listener: UpstreamListener<UpstreamConnection>): UpstreamConnection {
    this.connection.detach(this);
    this.connection.attach(listener);
    const held = this.held.splice(0);
    if (held.length > 0) setTimeout(() => held.forEach((forward) => forward(listener)), HELD_REQUEST_DELAY_MS).unref();
    return this.connection;
  }

  discard(reason: string): Promise<void> {
    this.connection.detach(this);
    for (const forward of this.held.splice(0)) forward(undefined);
    return this.connection.close(reason);
  }
}

interface Kind {
  capabilities: ClientCapabilities;
  idle: IdleSpare[];
}

export class Spares {
  /** Per upstream: its kinds of client, least recently seen first. */
  private readonly kinds = new Map<string, Map<string, Kind>>();
  private readonly configs = new Map<string, UpstreamConfig>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    /** A new connection to `upstream`, or undefined when its restart policy holds starts (failed). */
    private readonly open: (upstream: UpstreamConfig, capabilities: ClientCapabilities) => UpstreamConnection | undefined,
  ) {}

  /** The upstreams the config has, as they are now (a retune or restart goes through retune/retire first). */
  configure(upstreams: readonly UpstreamConfig[]): void {
    for (const upstream of upstreams) this.configs.set(upstream.name, upstream);
  }

  /**
   * A spare of this kind for `listener`'s session, handed over with what its upstream asked
   * meanwhile; undefined when there is none (the caller opens a connection, then refillAfter).
   */
  take(upstream: UpstreamConfig, capabilities: ClientCapabilities, listener: UpstreamListener<UpstreamConnection>): UpstreamConnection | undefined {
    if (this.closed || sparesFor(upstream) === 0) return undefined;
    this.configs.set(upstream.name, upstream);
    const kinds = this.kinds.get(upstream.name) ?? new Map<string, Kind>();
    this.kinds.set(upstream.name, kinds);
    const key = kindOf(capabilities);
    const kind = kinds.get(key) ?? { capabilities, idle: [] };
    kinds.delete(key);
    kinds.set(key, kind);
    for (const [oldKey, old] of kinds) {
      if (kinds.size <= MAX_KINDS) break;
      kinds.delete(oldKey);
      for (const spare of old.idle) void spare.discard('spare of a kind of client not seen lately');
    }
    return kind.idle.shift()?.handOver(listener);
  }

  /** Tops up `upstream`'s spares of `capabilities`' kind once `connection` (the session's) has settled. */
  refillAfter(connection: UpstreamConnection, capabilities: ClientCapabilities): void {
    if (this.closed || sparesFor(connection.config) === 0) return;
    const name = connection.name;
    const key = kindOf(capabilities);
    void connection.whenSettled().then(() => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.refill(name, key);
      }, REFILL_DELAY_MS);
      timer.unref();
      this.timers.add(timer);
    });
  }

  /** A reload changed what needs no restart (namespace, policy, `spares`): spares take it on, and are resized. */
  retune(upstream: UpstreamConfig): void {
    this.configs.set(upstream.name, upstream);
    const want = sparesFor(upstream);
    for (const [key, kind] of this.kinds.get(upstream.name) ?? []) {
      for (const spare of kind.idle.splice(want)) void spare.discard('fewer spares configured');
      for (const spare of kind.idle) {
        spare.connection.retune(upstream);
        spare.warm();
      }
      this.refill(upstream.name, key);
    }
  }

  /** A reload removed or restarts the upstream: its spares go, and what kinds it saw is forgotten. */
  async retire(name: string, reason: string): Promise<void> {
    const kinds = this.kinds.get(name);
    this.kinds.delete(name);
    this.configs.delete(name);
    await Promise.all([...(kinds?.values() ?? [])].flatMap((kind) => kind.idle.map((spare) => spare.discard(reason))));
  }

  async close(reason?: string): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const all = [...this.kinds.values()].flatMap((kinds) => [...kinds.values()].flatMap((kind) => kind.idle));
    this.kinds.clear();
    await Promise.all(all.map((spare) => spare.discard(reason ?? 'mcproxy is stopping')));
  }

  private refill(name: string, key: string): void {
    const upstream = this.configs.get(name);
    const kind = this.kinds.get(name)?.get(key);
    if (this.closed || !upstream || !kind) return;
    while (kind.idle.length < sparesFor(upstream)) {
      const connection = this.open(upstream, kind.capabilities);
      if (!connection) return;
      kind.idle.push(new IdleSpare(connection));
    }
  }
}
