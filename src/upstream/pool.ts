// Hands client sessions their upstream connections: a connection of their own for each
// upstream, or the one connection every session shares for upstreams marked `shared: true`.
// Each upstream's health (state, restart policy) lives here too, one per upstream, shared by
// all its connections; a reload retires, retunes or restarts upstreams through the pool.
// In HTTP mode, warm spares (spares.ts) spare new sessions the start of their own connections.
import type { ClientCapabilities, Implementation } from '@modelcontextprotocol/server';
import type { UpstreamConfig } from '../config/schema.js';
import { CHAIN_CAPABILITY, withChain, type ProxyIdentity } from '../session/chain.js';
import type { UpstreamListener } from './attachments.js';
import { UpstreamConnection } from './connection.js';
import { healthSettings, UpstreamHealth, type UpstreamHealthRegistry, type UpstreamHealthView } from './health.js';
import type { Caller } from './oauth/upstreamAuth.js';
import { Spares } from './spares.js';

/**
 * A shared connection serves clients that declared different capabilities, so it declares
 * everything the proxy can route; a request for a capability its client lacks is refused then.
 */
const SHARED_CAPABILITIES: ClientCapabilities = {
  sampling: {},
  elicitation: { form: {}, url: {} },
  roots: { listChanged: true },
};

/** What an upstream is told the client can do: only what the client itself declared. */
export function upstreamCapabilities(client: ClientCapabilities | undefined): ClientCapabilities {
  const capabilities: ClientCapabilities = {};
  if (client?.sampling) capabilities.sampling = client.sampling;
  if (client?.elicitation) capabilities.elicitation = client.elicitation;
  if (client?.roots) capabilities.roots = client.roots;
  // Task-augmented sampling/elicitation: the client runs the task, the upstream polls it through us.
  if (client?.tasks) capabilities.tasks = client.tasks;
  // Protocol extensions (MCP Apps' io.modelcontextprotocol/ui, ...): the upstream may offer what they need.
  if (client?.extensions) capabilities.extensions = client.extensions;
  // The chain of proxies in front (session/chain.ts), so that a loop back to one of them is refused.
  const chain = client?.experimental?.[CHAIN_CAPABILITY];
  if (chain) capabilities.experimental = { [CHAIN_CAPABILITY]: chain };
  return capabilities;
}

export class UpstreamPool implements UpstreamHealthRegistry {
  private readonly shared = new Map<string, UpstreamConnection>();
  private readonly owned = new Set<UpstreamConnection>();
  private readonly healths = new Map<string, UpstreamHealth>();
  /** perUser upstreams: one record per person (see personalHealthFor). */
  private readonly personalHealths = new Map<string, UpstreamHealth>();

  /** Shared connections serve every session, so they carry only this proxy as their chain. */
  private readonly sharedCapabilities: ClientCapabilities;
  /** HTTP mode only: a stdio proxy has one session, for which a spare would only cost memory. */
  private readonly spares?: Spares;

  constructor(
    private readonly clientInfo: Implementation,
    self?: ProxyIdentity,
    options: { spares?: boolean } = {},
  ) {
    this.sharedCapabilities = self ? withChain(SHARED_CAPABILITIES, [self]) : SHARED_CAPABILITIES;
    if (options.spares) {
      this.spares = new Spares((upstream, capabilities) => {
        const health = this.healthFor(upstream);
        return health.failed ? undefined : new UpstreamConnection(upstream, this.clientInfo, capabilities, health);
      });
    }
  }

  /** `caller`: who the session is, on a team gateway; a `credentials: perUser` upstream gets a connection of theirs alone. */
  acquire(upstream: UpstreamConfig, client: ClientCapabilities | undefined, listener: UpstreamListener<UpstreamConnection>, caller?: Caller): UpstreamConnection {
    let connection: UpstreamConnection;
    const health = this.healthFor(upstream);
    const perUser = 'url' in upstream && upstream.credentials === 'perUser';
    if (perUser) {
      // Never shared: one person's token is never used for another, and one person's refused
      // login or exchange never counts against the upstream for the others.
      connection = new UpstreamConnection(upstream, this.clientInfo, upstreamCapabilities(client), this.personalHealthFor(upstream, caller?.subject ?? ''), caller);
      this.owned.add(connection);
    } else if (upstream.shared) {
      connection = this.shared.get(upstream.name) ?? new UpstreamConnection(upstream, this.clientInfo, this.sharedCapabilities, health);
      this.shared.set(upstream.name, connection);
    } else {
      const capabilities = upstreamCapabilities(client);
      connection = this.spares?.take(upstream, capabilities, listener) ?? new UpstreamConnection(upstream, this.clientInfo, capabilities, health);
      this.spares?.refillAfter(connection, capabilities);
      this.owned.add(connection);
    }
    connection.attach(listener);
    return connection;
  }

  /** A session's own connections close with it; shared ones stay up for the next session. */
  async release(connection: UpstreamConnection, listener: UpstreamListener<UpstreamConnection>): Promise<void> {
    connection.detach(listener);
    if (this.owned.delete(connection)) await connection.close();
  }

  /** A session's own connection to an upstream a reload removed or changed: closed at once, its calls told `reason`. */
  async drop(connection: UpstreamConnection, listener: UpstreamListener<UpstreamConnection>, reason: string): Promise<void> {
    connection.detach(listener);
    if (this.owned.delete(connection)) await connection.close(reason);
  }

  /**
   * A reload removed or changed `name`: its shared connection closes (its calls told `reason`),
   * and its health is forgotten, so that a changed upstream starts with a clean record.
   * Sessions drop their own connections to it themselves (ClientSession.applyConfig).
   */
  async retire(name: string, reason: string): Promise<void> {
    const shared = this.shared.get(name);
    this.shared.delete(name);
    const spares = this.spares?.retire(name, reason);
    this.healths.get(name)?.stop();
    this.healths.delete(name);
    for (const [key, health] of this.personalHealths) {
      if (key.startsWith(`${name}\u0000`)) {
        health.stop();
        this.personalHealths.delete(key);
      }
    }
    await Promise.all([shared?.close(reason), spares]);
  }

  /** A reload changed only what needs no restart (namespace, policy, failMode, required). */
  retune(upstream: UpstreamConfig): void {
    this.shared.get(upstream.name)?.retune(upstream);
    this.spares?.retune(upstream);
    const health = this.healths.get(upstream.name);
    if (health) health.settings = healthSettings(upstream);
  }

  /** `mcproxy restart NAME`; false when there is no such upstream running. */
  restart(name: string): boolean {
    const health = this.healths.get(name);
    health?.restart();
    return health !== undefined;
  }

  /** The upstreams the config has: each gets its health record now, before any session needs it. */
  configure(upstreams: readonly UpstreamConfig[]): void {
    for (const upstream of upstreams) this.healthFor(upstream);
    this.spares?.configure(upstreams);
  }

  get(name: string): UpstreamHealthView | undefined {
    return this.healths.get(name);
  }

  all(): UpstreamHealthView[] {
    return [...this.healths.values()];
  }

  /** Every live connection, shared and owned (tools listed and queue depth, for status and metrics); idle spares are no session's, so not here. */
  connections(): UpstreamConnection[] {
    return [...this.shared.values(), ...this.owned];
  }

  /** Every connection, shared and owned: nothing outlives the proxy. */
  async close(reason?: string): Promise<void> {
    const all = [...this.shared.values(), ...this.owned];
    this.shared.clear();
    this.owned.clear();
    for (const health of [...this.healths.values(), ...this.personalHealths.values()]) health.stop();
    await Promise.all([...all.map((connection) => connection.close(reason)), this.spares?.close(reason)]);
  }

  /** A `credentials: perUser` upstream's restart policy state for one person. */
  private personalHealthFor(upstream: UpstreamConfig, subject: string): UpstreamHealth {
    const key = `${upstream.name}\u0000${subject}`;
    let health = this.personalHealths.get(key);
    if (!health) {
      health = new UpstreamHealth(upstream.name, healthSettings(upstream));
      this.personalHealths.set(key, health);
    }
    return health;
  }

  private healthFor(upstream: UpstreamConfig): UpstreamHealth {
    let health = this.healths.get(upstream.name);
    if (!health) {
      health = new UpstreamHealth(upstream.name, healthSettings(upstream));
      this.healths.set(upstream.name, health);
    }
    return health;
  }
}
