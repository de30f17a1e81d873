// The one place that reads each upstream's state for /readyz, /metrics and /status: the state
// itself from the upstream's health record (src/upstream/health.ts, shared by all connections to
// it), and what only live connections know (tools listed, requests queued) from the pool.
import type { UpstreamHealthRegistry, UpstreamStateName } from '../upstream/health.js';

/** What the status needs of the pool's live connections. */
export interface LiveConnections {
  connections(): ReadonlyArray<{ name: string; state: string; queued: number; lastKnownListing?: { tools: readonly unknown[] } }>;
}

export interface UpstreamStatus {
  name: string;
  /** `idle`: no session has needed it yet, so nothing says it is down. */
  state: UpstreamStateName;
  /** Since when (ms since the epoch) it has been in that state. */
  since: number;
  restarts: number;
  lastError?: string;
  /** While backing off after a failure: when the next start may happen. */
  nextStartAt?: number;
  /** Tools it listed last, once it has listed. */
  tools?: number;
  required: boolean;
  failMode: 'open' | 'closed';
  /** Live connections to it (one per session, or one shared). */
  connections: number;
  /** Requests waiting for a `maxConcurrent` slot. */
  queued: number;
}

export function upstreamStatuses(registry: UpstreamHealthRegistry, pool: LiveConnections): UpstreamStatus[] {
  const live = pool.connections().filter((connection) => connection.state !== 'closed');
  return registry.all().map((health) => {
    const { name, state, since, restarts, lastError, nextStartAt, required, failMode } = health.status();
    const connections = live.filter((connection) => connection.name === name);
    const listing = connections.map((connection) => connection.lastKnownListing).find((l) => l !== undefined);
    return {
      name,
      state,
      since,
      restarts,
      ...(lastError !== undefined && { lastError }),
      ...(nextStartAt !== undefined && { nextStartAt }),
      ...(listing && { tools: listing.tools.length }),
      required,
      failMode,
      connections: connections.length,
      queued: connections.reduce((sum, connection) => sum + connection.queued, 0),
    };
  });
}

/** Not ready while it is starting, down or failed; idle counts as ready (nothing says it is down). */
const NOT_READY_STATES: ReadonlySet<UpstreamStateName> = new Set(['starting', 'down', 'failed']);

/** /readyz: the required upstreams that keep the proxy from being ready. */
export function notReady(statuses: readonly UpstreamStatus[]): UpstreamStatus[] {
  return statuses.filter((status) => status.required && NOT_READY_STATES.has(status.state));
}
