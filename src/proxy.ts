// Puts the proxy together: the upstream pool, and a listener that opens one session per client,
// with operations (metrics, admin endpoints) and tracing around them as request filters.
// It also applies a reloaded config to what runs, and shuts down gracefully.
import type { ConfigDiff } from './config/diff.js';
import type { ProxyConfig } from './config/schema.js';
import { log } from './log.js';
import { NO_OPERATIONS, servesOperations } from './ops/noOperations.js';
import { proxyIdentity } from './session/chain.js';
import { InflightRequests, SHUTTING_DOWN } from './session/inflight.js';
import { ClientSession } from './session/session.js';
import { loadSearchModeFor } from './session/searchModeLoader.js';
import { startTracing } from './telemetry/tracing.js';
import type { UpstreamHealthRegistry } from './upstream/health.js';
import { UpstreamPool } from './upstream/pool.js';
import type { Caller } from './upstream/oauth/upstreamAuth.js';
import { PROXY_VERSION } from './version.js';
import { startRecording } from './vcon/forProxy.js';

export interface RunningProxy {
  /** The HTTP endpoint, in HTTP mode. */
  url?: string;
  /** The admin listener (`server.admin.port`), when it has one. */
  adminUrl?: string;
  /** Resolves when the proxy has stopped (stdio: the client went away). */
  stopped: Promise<void>;
  /** Stops at once: calls in flight fail. */
  stop(): Promise<void>;
  /**
   * SIGINT/SIGTERM: accepts nothing new, lets calls in flight finish within
   * `server.shutdownGraceMs`, ends the rest with "mcproxy is shutting down", then stops.
   */
  shutdown(): Promise<void>;
  /** Applies a validated new config (reload.ts computes the diff). */
  apply(next: ProxyConfig, diff: ConfigDiff): Promise<void>;
  /** `mcproxy restart NAME`: false when no upstream of that name runs. */
  restart(upstream: string): boolean;
  /** Each upstream's state, restarts and last error (health.ts), for status and metrics. */
  upstreams: UpstreamHealthRegistry;
}

export interface ProxyOptions {
  /** The profile a stdio session serves (`--profile`); HTTP serves each at its own path. */
  profile?: string;
}

export async function startProxy(initial: ProxyConfig, options: ProxyOptions = {}): Promise<RunningProxy> {
  let config = initial;
  await loadSearchModeFor(config);
  // Warm spares only where sessions come and go: HTTP.
  const pool = new UpstreamPool({ name: config.server.name, version: PROXY_VERSION }, proxyIdentity(config), { spares: config.server.transport === 'http' });
  pool.configure(config.upstreams);
  const recording = await startRecording(config);
  const inflight = new InflightRequests();
  const sessions = new Set<ClientSession>();
  const operations = servesOperations(config.server)
    ? await (await import('./ops/operations.js')).startOperations(config, { upstreams: pool, connections: pool, sessions: () => sessions.size, recording })
    : NO_OPERATIONS;
  const tracing = await startTracing(config);
  if (tracing.exportsTo) log.info(`exporting traces to ${tracing.exportsTo}`);
  // Tracing outermost: its spans cover what the other filters do.
  const filters = { client: [...tracing.client, ...operations.filters.client], upstream: [...tracing.upstream, ...operations.filters.upstream] };
  const newSession = (label: string, profile?: string, caller?: Caller) => {
    const session = new ClientSession(config, pool, label, { profile, caller, recorder: recording?.recorder(label), inflight, filters });
    sessions.add(session);
    void session.ended.then(() => sessions.delete(session));
    return session;
  };
  log.info(`mcproxy ${PROXY_VERSION}: ${config.upstreams.length} upstream(s) from ${config.file}`);
  const stopOperations = async () => {
    await operations.close();
    await tracing.shutdown();
  };

  // The HTTP listener reads this list per request: a reload that adds a profile serves its path at once.
  const profileNames = Object.keys(config.profiles);
  const apply = async (next: ProxyConfig, diff: ConfigDiff) => {
    await loadSearchModeFor(next);
    config = next;
    profileNames.splice(0, profileNames.length, ...Object.keys(next.profiles));
    await Promise.all([
      ...diff.removed.map((name) => pool.retire(name, 'removed from the config')),
      ...diff.restarted.map((name) => pool.retire(name, 'restarting: its config changed')),
    ]);
    for (const upstream of next.upstreams) if (diff.retuned.includes(upstream.name)) pool.retune(upstream);
    pool.configure(next.upstreams);
    await Promise.all([...sessions].map((session) => session.applyConfig(next, diff)));
  };
  const common = { apply, restart: (name: string) => pool.restart(name), upstreams: pool };

  if (config.server.transport === 'stdio') {
    const session = newSession('stdio', options.profile);
    // Each listener is imported only in its mode: a stdio proxy loads no HTTP server.
    const { startStdioListener } = await import('./downstream/stdio.js');
    const { closed } = await startStdioListener(session);
    const stop = async () => {
      await session.close();
      await recording?.shutdown();
      await pool.close(SHUTTING_DOWN);
      await stopOperations();
    };
    const shutdown = async () => {
      await drain(inflight, config.server.shutdownGraceMs);
      await stop();
    };
    return {
      adminUrl: operations.adminUrl,
      stopped: closed.then(() => recording?.shutdown()).then(() => pool.close()).then(stopOperations),
      stop,
      shutdown,
      ...common,
    };
  }

  const [{ anonymousBindRefusal }, { startHttpListener }, { httpFilters }, { connectPage }, { connectLinksFor, useConnectLinks }] = await Promise.all([
    import('./downstream/auth/authFilter.js'),
    import('./downstream/http.js'),
    import('./downstream/httpFilters.js'),
    import('./downstream/connectPage.js'),
    import('./upstream/oauth/connectLinks.js'),
  ]);
  const refusal = anonymousBindRefusal(config.server.host, config.server.auth);
  if (refusal) throw new Error(refusal);
  const chain = httpFilters(config.server, { beforeAuth: [...operations.beforeAuth, connectPage(() => config.upstreams)], afterAuth: operations.afterAuth });
  const listener = await startHttpListener({ ...config.server, profiles: profileNames, filters: chain }, newSession);
  useConnectLinks(connectLinksFor(config, listener.url));
  let stopped!: () => void;
  const whenStopped = new Promise<void>((resolve) => (stopped = resolve));
  const stop = async () => {
    await listener.close();
    await recording?.shutdown();
    await pool.close(SHUTTING_DOWN);
    await stopOperations();
    stopped();
  };
  return {
    url: listener.url,
    adminUrl: operations.adminUrl,
    stopped: whenStopped,
    stop,
    async shutdown() {
      listener.stopAccepting();
      await drain(inflight, config.server.shutdownGraceMs);
      await stop();
    },
    ...common,
  };
}

/** Waits for the calls in flight, up to graceMs, then ends the rest with "mcproxy is shutting down". */
async function drain(inflight: InflightRequests, graceMs: number): Promise<void> {
  if (inflight.size > 0) log.info(`waiting up to ${graceMs} ms for ${inflight.size} call(s) in flight`);
  const left = await inflight.drain(graceMs);
  if (left === 0) return;
  log.warn(`cancelling ${left} call(s) still in flight after ${graceMs} ms`);
  await inflight.cancelAll();
  // The errors are on their way to the clients: let them leave before the sessions close.
  await new Promise((resolve) => setTimeout(resolve, 200));
}
