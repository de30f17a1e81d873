// Hands client sessions their upstream connections: a connection of their own for each
// upstream, or the one connection every session shares for upstreams marked `shared: true`.
import type { ClientCapabilities, Implementation } from '@modelcontextprotocol/server';
import type { UpstreamConfig } from '../config/schema.js';
import { CHAIN_CAPABILITY, withChain, type ProxyIdentity } from '../session/chain.js';
import type { UpstreamListener } from './attachments.js';
import { UpstreamConnection } from './connection.js';
import type { Caller } from './oauth/upstreamAuth.js';

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
  // The chain of proxies in front (session/chain.ts), so that a loop back to one of them is refused.
  const chain = client?.experimental?.[CHAIN_CAPABILITY];
  if (chain) capabilities.experimental = { [CHAIN_CAPABILITY]: chain };
  return capabilities;
}

export class UpstreamPool {
  private readonly shared = new Map<string, UpstreamConnection>();
  private readonly owned = new Set<UpstreamConnection>();

  /** Shared connections serve every session, so they carry only this proxy as their chain. */
  private readonly sharedCapabilities: ClientCapabilities;

  constructor(
    private readonly clientInfo: Implementation,
    self?: ProxyIdentity,
  ) {
    this.sharedCapabilities = self ? withChain(SHARED_CAPABILITIES, [self]) : SHARED_CAPABILITIES;
  }

  /** `caller`: who the session is, on a team gateway; a `credentials: perUser` upstream gets a connection of theirs alone. */
  acquire(upstream: UpstreamConfig, client: ClientCapabilities | undefined, listener: UpstreamListener<UpstreamConnection>, caller?: Caller): UpstreamConnection {
    let connection: UpstreamConnection;
    const perUser = 'url' in upstream && upstream.credentials === 'perUser';
    if (perUser) {
      // Never shared: one person's token is never used for another.
      connection = new UpstreamConnection(upstream, this.clientInfo, upstreamCapabilities(client), caller);
      this.owned.add(connection);
    } else if (upstream.shared) {
      connection = this.shared.get(upstream.name) ?? new UpstreamConnection(upstream, this.clientInfo, this.sharedCapabilities);
      this.shared.set(upstream.name, connection);
    } else {
      connection = new UpstreamConnection(upstream, this.clientInfo, upstreamCapabilities(client));
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

  /** Every connection, shared and owned: nothing outlives the proxy. */
  async close(): Promise<void> {
    const all = [...this.shared.values(), ...this.owned];
    this.shared.clear();
    this.owned.clear();
    await Promise.all(all.map((connection) => connection.close()));
  }
}
