// What /status.json answers, `mcproxy status` prints and /status shows: the proxy, its
// sessions, and each upstream's state joined with its call statistics. Plain data.
import type { CallSample, UpstreamCallStats } from './callStats.js';
import type { UpstreamStateName } from '../upstream/health.js';
import type { UpstreamStatus } from './upstreamStatus.js';

export interface UpstreamReport {
  name: string;
  state: UpstreamStateName;
  /** How long it has been in its state, ms (uptime while up). */
  forMs: number;
  restarts: number;
  lastError?: string;
  tools?: number;
  required: boolean;
  failMode: 'open' | 'closed';
  /** While it backs off after a failure: in how many ms the next start may happen. */
  nextStartInMs?: number;
  queued: number;
  calls: number;
  errors: number;
  p50Ms?: number;
  p95Ms?: number;
  /** The latest calls, oldest first: the chart's points. */
  recent: CallSample[];
}

export interface StatusReport {
  proxy: { name: string; version: string; pid: number; transport: string; startedAt: string; uptimeMs: number };
  sessions: { active: number };
  upstreams: UpstreamReport[];
  /** Required upstreams that are down: /readyz answers 503 while any is. */
  notReady: string[];
}

export function upstreamReport(status: UpstreamStatus, stats: UpstreamCallStats, now: number): UpstreamReport {
  return {
    name: status.name,
    state: status.state,
    forMs: now - status.since,
    restarts: status.restarts,
    ...(status.lastError !== undefined && { lastError: status.lastError }),
    ...(status.tools !== undefined && { tools: status.tools }),
    required: status.required,
    failMode: status.failMode,
    ...(status.nextStartAt !== undefined && { nextStartInMs: Math.max(0, status.nextStartAt - now) }),
    queued: status.queued,
    calls: stats.calls,
    errors: stats.errors,
    ...(stats.p50Ms !== undefined && { p50Ms: round(stats.p50Ms) }),
    ...(stats.p95Ms !== undefined && { p95Ms: round(stats.p95Ms) }),
    recent: stats.recent.map((sample) => ({ ...sample, ms: round(sample.ms) })),
  };
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/** The required upstreams that keep the proxy from being ready, with their state: `broken (down)`. */
export function notReadyText(report: StatusReport): string {
  const stateOf = (name: string) => report.upstreams.find((u) => u.name === name)?.state;
  return report.notReady.map((name) => `${name} (${stateOf(name)})`).join(', ');
}

/** A duration as people say it: 45s, 12m, 3h 5m, 2d 4h. */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** The status as a table for a terminal (`mcproxy status`). */
export function formatStatus(report: StatusReport): string {
  const { proxy } = report;
  const head = `${proxy.name} ${proxy.version} (pid ${proxy.pid}, ${proxy.transport}), up ${formatDuration(proxy.uptimeMs)}; ${report.sessions.active} session(s)`;
  const rows = [['UPSTREAM', 'STATE', 'FOR', 'RESTARTS', 'TOOLS', 'CALLS', 'ERRORS', 'P50 MS', 'P95 MS']];
  for (const u of report.upstreams) {
    rows.push([
      u.required ? `${u.name}*` : u.name,
      u.state,
      formatDuration(u.forMs),
      String(u.restarts),
      u.tools === undefined ? '-' : String(u.tools),
      String(u.calls),
      String(u.errors),
      u.p50Ms === undefined ? '-' : u.p50Ms.toFixed(1),
      u.p95Ms === undefined ? '-' : u.p95Ms.toFixed(1),
    ]);
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const table = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd());
  const errors = report.upstreams.filter((u) => u.lastError && u.state !== 'up').map((u) => `${u.name}: ${u.lastError}`);
  const notes = [
    ...(report.upstreams.some((u) => u.required) ? ['* required (counts for /readyz)'] : []),
    ...(report.notReady.length > 0 ? [`NOT READY: ${notReadyText(report)}`] : []),
    ...errors,
  ];
  return [head, '', ...table, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n') + '\n';
}
