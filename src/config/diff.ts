// What a reload has to do: the difference between the running config and a new one, as plain
// data. Upstreams are added, removed, restarted (something about reaching or running them
// changed) or retuned (only what the catalog or the restart policy reads changed: applied
// without touching the process). Keys the running proxy cannot change in place are named, so
// that the reload can say they wait for a restart of mcproxy.
import type { ProxyConfig, UpstreamConfig } from './schema.js';

export interface ConfigDiff {
  added: string[];
  removed: string[];
  /** Changed in a way that needs a new process or connection. */
  restarted: string[];
  /** Changed only in namespace, tools/prompts/resources policy, failMode, required, restart policy or spares. */
  retuned: string[];
  unchanged: string[];
  /** naming, the top-level policy or the profiles changed: every session's catalog is rebuilt. */
  catalogChanged: boolean;
  /** Keys whose change takes effect only when mcproxy restarts (e.g. `server.port`). */
  needsRestart: string[];
  /** `server` keys that changed and apply at once (`server.pageSize`, `server.shutdownGraceMs`). */
  serverUpdated: string[];
}

/** Upstream keys a live connection can take on without restarting. */
const LIVE_UPSTREAM_KEYS = ['namespace', 'tools', 'prompts', 'resources', 'failMode', 'required', 'restart', 'spares'] as const;

/** `server` keys read afresh by each request or shutdown. */
const LIVE_SERVER_KEYS = new Set(['pageSize', 'shutdownGraceMs']);

/** Top-level sections only a restart of mcproxy applies. */
const RESTART_SECTIONS = ['logging', 'vcon', 'security', 'telemetry'] as const;

export function diffConfigs(before: ProxyConfig, after: ProxyConfig): ConfigDiff {
  const old = new Map(before.upstreams.map((u) => [u.name, u]));
  const next = new Map(after.upstreams.map((u) => [u.name, u]));
  const diff: ConfigDiff = { added: [], removed: [], restarted: [], retuned: [], unchanged: [], catalogChanged: false, needsRestart: [], serverUpdated: [] };
  for (const name of old.keys()) if (!next.has(name)) diff.removed.push(name);
  for (const [name, upstream] of next) {
    const previous = old.get(name);
    if (!previous) diff.added.push(name);
    else if (!same(withoutLiveKeys(previous), withoutLiveKeys(upstream))) diff.restarted.push(name);
    else if (!same(previous, upstream)) diff.retuned.push(name);
    else diff.unchanged.push(name);
  }
  diff.catalogChanged = !same(before.naming, after.naming) || !same(before.policy, after.policy) || !same(before.profiles, after.profiles);
  const serverKeys = new Set([...Object.keys(before.server), ...Object.keys(after.server)]);
  for (const key of serverKeys) {
    if (same(before.server[key as keyof ProxyConfig['server']], after.server[key as keyof ProxyConfig['server']])) continue;
    (LIVE_SERVER_KEYS.has(key) ? diff.serverUpdated : diff.needsRestart).push(`server.${key}`);
  }
  for (const section of RESTART_SECTIONS) if (!same(before[section], after[section])) diff.needsRestart.push(section);
  return diff;
}

/** Whether applying the diff would change anything at all. */
export function isEmptyDiff(diff: ConfigDiff): boolean {
  return (
    diff.added.length + diff.removed.length + diff.restarted.length + diff.retuned.length === 0 &&
    !diff.catalogChanged &&
    diff.needsRestart.length + diff.serverUpdated.length === 0
  );
}

/** One line for the log: "added a; removed b; restarted c; ...". */
export function describeDiff(diff: ConfigDiff): string {
  const parts = [
    diff.added.length > 0 && `added ${diff.added.join(', ')}`,
    diff.removed.length > 0 && `removed ${diff.removed.join(', ')}`,
    diff.restarted.length > 0 && `restarted ${diff.restarted.join(', ')}`,
    diff.retuned.length > 0 && `updated ${diff.retuned.join(', ')} in place`,
    diff.catalogChanged && 'naming/policy/profiles changed',
    diff.serverUpdated.length > 0 && `applied ${diff.serverUpdated.join(', ')}`,
    diff.unchanged.length > 0 && `kept ${diff.unchanged.join(', ')}`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join('; ') : 'no changes';
}

function withoutLiveKeys(upstream: UpstreamConfig): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...upstream };
  for (const key of LIVE_UPSTREAM_KEYS) delete rest[key];
  return rest;
}

/** Deep equality of plain config data (key order ignored). */
function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) : v,
  );
}
