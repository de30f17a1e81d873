// Puts the operations side together: metrics and call statistics (as request filters), the
// admin endpoints (served beside the MCP path, or on `server.admin`'s own listener) and the
// byte meter. Nothing of it is loaded in stdio mode without `server.admin`.
import type { EventEmitter } from 'node:events';
import type { ProxyConfig } from '../config/schema.js';
import { anonymousBindRefusal } from '../downstream/auth/authFilter.js';
import type { HttpFilter } from '../downstream/filters.js';
import { isLoopback } from '../downstream/hostPolicy.js';
import { log } from '../log.js';
import type { RequestFilters } from '../telemetry/filters.js';
import type { UpstreamHealthRegistry } from '../upstream/health.js';
import { PROXY_VERSION } from '../version.js';
import { adminEndpoints } from './adminEndpoints.js';
import { adminAuthFilters, startAdminListener, type AdminListener } from './adminListener.js';
import { HttpByteMeter, stdioByteMeter, type ByteMeter } from './byteMeter.js';
import { CallStats } from './callStats.js';
import { upstreamReport, type StatusReport } from './statusReport.js';
import { NO_OPERATIONS, servesOperations } from './noOperations.js';
import { notReady, upstreamStatuses, type LiveConnections } from './upstreamStatus.js';

export interface Operations {
  filters: RequestFilters;
  /** For the MCP listener, first in its chain: the byte meter, and the admin endpoints when they are public. */
  beforeAuth: HttpFilter[];
  /** For the MCP listener, right after its auth filters: the admin endpoints when they share its auth. */
  afterAuth: HttpFilter[];
  /** The admin listener's URL, when `server.admin.port` gives it one. */
  adminUrl?: string;
  close(): Promise<void>;
}

export interface ProxyState {
  /** Each upstream's state (health.ts): what readiness, metrics and status report. */
  upstreams: UpstreamHealthRegistry;
  /** The live connections, for tools listed and requests queued. */
  connections: LiveConnections;
  sessions(): number;
  recording?: EventEmitter;
}

export async function startOperations(config: ProxyConfig, state: ProxyState): Promise<Operations> {
  const { admin, transport } = config.server;
  const ownListener = admin?.port !== undefined;
  if (!servesOperations(config.server)) return NO_OPERATIONS;

  const { ProxyMetrics } = await import('../telemetry/metrics.js');
  const stats = new CallStats();
  const startedAt = Date.now();
  const meter: ByteMeter & { filter?: () => HttpFilter } = transport === 'http' ? new HttpByteMeter() : stdioByteMeter;
  const statuses = () => upstreamStatuses(state.upstreams, state.connections);
  const metrics = new ProxyMetrics({ upstreams: statuses, sessions: state.sessions, bytes: () => ({ transport, ...meter.totals() }) });
  if (state.recording) metrics.watchRecording(state.recording);

  const report = (): StatusReport => {
    const now = Date.now();
    const current = statuses();
    return {
      proxy: { name: config.server.name, version: PROXY_VERSION, pid: process.pid, transport, startedAt: new Date(startedAt).toISOString(), uptimeMs: now - startedAt },
      sessions: { active: state.sessions() },
      upstreams: current.map((status) => upstreamReport(status, stats.of(status.name), now)),
      notReady: notReady(current).map((status) => status.name),
    };
  };
  const endpoints = adminEndpoints({ report, metricsText: () => metrics.text(), metricsContentType: metrics.contentType });
  const filters: RequestFilters = { client: [metrics.clientFilter()], upstream: [metrics.upstreamFilter(), stats.filter()] };
  const byteFilter = meter.filter ? [meter.filter()] : [];

  if (ownListener) {
    // Beyond loopback, the admin listener asks for credentials like the MCP listener, or says why not.
    const refusal = admin.auth === false ? undefined : anonymousBindRefusal(admin.host, config.server.auth);
    if (refusal) throw new Error(`server.admin: ${refusal}, or set server.admin.auth: false`);
    if (admin.auth === false && !isLoopback(admin.host)) {
      log.warn(`server.admin.auth is false and the admin listener binds ${admin.host}: /status and /metrics are open to anyone who reaches it`);
    }
    const listener: AdminListener = await startAdminListener({ ...admin, port: admin.port! }, config.server, endpoints);
    return { filters, beforeAuth: byteFilter, afterAuth: [], adminUrl: listener.url, close: () => listener.close() };
  }
  const shared = adminAuthFilters(admin, config.server).length > 0;
  return { filters, beforeAuth: [...byteFilter, ...(shared ? [] : [endpoints])], afterAuth: shared ? [endpoints] : [], close: async () => {} };
}
