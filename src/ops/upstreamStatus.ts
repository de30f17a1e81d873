// The one place that reads each upstream's state for /readyz, /metrics and /status: today from
// the pool's live connections (one per session, or the shared one). When upstream state moves
// into one object per upstream (restart policy, health checks), only this file changes.
import type { UpstreamConfig } from '../config/schema.js';
import type { UpstreamConnection } from '../upstream/connection.js';
import type { UpstreamPool } from '../upstream/pool.js';

/** `idle`: no session has opened it yet, so nothing says it is down. */
export type UpstreamHealth = 'ready' | 'connecting' | 'down' | 'idle';

export interface UpstreamStatus {
  name: string;
  state: UpstreamHealth;
  /** Since when (ms since the epoch) it has been in that state; absent while idle. */
  since?: number;
  restarts: number;
  lastError?: string;
  /** Tools it listed last, once it has listed. */
  tools?: number;
  required: boolean;
  /** Live connections to it (one per session, or one shared). */
  connections: number;
  /** Requests waiting for a `maxConcurrent` slot. */
  queued: number;
}

const PREFERENCE: readonly UpstreamHealth[] = ['ready', 'connecting', 'down'];

export function upstreamStatuses(upstreams: readonly UpstreamConfig[], pool: UpstreamPool): UpstreamStatus[] {
  const byName = new Map<string, UpstreamConnection[]>();
  for (const connection of pool.connections()) {
    if (connection.state === 'closed') continue;
    byName.set(connection.name, [...(byName.get(connection.name) ?? []), connection]);
  }
  return upstreams.map((upstream) => summarize(upstream, byName.get(upstream.name) ?? []));
}

/** Several connections to one upstream: it is as healthy as its best one. */
function summarize(upstream: UpstreamConfig, connections: UpstreamConnection[]): UpstreamStatus {
  const base = { name: upstream.name, required: upstream.required, connections: connections.length };
  const ranked = [...connections].sort((a, b) => PREFERENCE.indexOf(a.state as UpstreamHealth) - PREFERENCE.indexOf(b.state as UpstreamHealth));
  const best = ranked[0];
  if (!best) return { ...base, state: 'idle', restarts: 0, queued: 0 };
  const listing = connections.map((c) => c.lastKnownListing).find((l) => l !== undefined);
  const lastError = connections.map((c) => c.lastError).find((e) => e !== undefined);
  return {
    ...base,
    state: best.state as UpstreamHealth,
    since: best.stateSince,
    restarts: connections.reduce((sum, c) => sum + c.restarts, 0),
    ...(lastError !== undefined && { lastError }),
    ...(listing && { tools: listing.tools.length }),
    queued: connections.reduce((sum, c) => sum + c.queued, 0),
  };
}

/** /readyz: every required upstream up (idle counts: nothing says it is down). */
export function notReady(statuses: readonly UpstreamStatus[]): UpstreamStatus[] {
  return statuses.filter((status) => status.required && (status.state === 'down' || status.state === 'connecting'));
}
