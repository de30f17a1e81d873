// Puts the proxy together: the upstream pool, and a listener that opens one session per client,
// with operations (metrics, admin endpoints) and tracing around them as request filters.
import type { ProxyConfig } from './config/schema.js';
import { anonymousBindRefusal } from './downstream/auth/authFilter.js';
import { startHttpListener } from './downstream/http.js';
import { httpFilters } from './downstream/httpFilters.js';
import { startStdioListener } from './downstream/stdio.js';
import { log } from './log.js';
import { startOperations } from './ops/operations.js';
import { proxyIdentity } from './session/chain.js';
import { ClientSession } from './session/session.js';
import { startTracing } from './telemetry/tracing.js';
import { UpstreamPool } from './upstream/pool.js';
import { PROXY_VERSION } from './version.js';
import { startRecording } from './vcon/forProxy.js';

export interface RunningProxy {
  /** The HTTP endpoint, in HTTP mode. */
  url?: string;
  /** The admin listener (`server.admin.port`), when it has one. */
  adminUrl?: string;
  /** Resolves when the proxy has stopped (stdio: the client went away). */
  stopped: Promise<void>;
  stop(): Promise<void>;
}

export interface ProxyOptions {
  /** The profile a stdio session serves (`--profile`); HTTP serves each at its own path. */
  profile?: string;
}

export async function startProxy(config: ProxyConfig, options: ProxyOptions = {}): Promise<RunningProxy> {
  const pool = new UpstreamPool({ name: config.server.name, version: PROXY_VERSION }, proxyIdentity(config));
  const recording = await startRecording(config);
  let sessions = () => 0;
  const operations = await startOperations(config, { pool, sessions: () => sessions(), recording });
  const tracing = await startTracing(config);
  if (tracing.exportsTo) log.info(`exporting traces to ${tracing.exportsTo}`);
  // Tracing outermost: its spans cover what the other filters do.
  const filters = { client: [...tracing.client, ...operations.filters.client], upstream: [...tracing.upstream, ...operations.filters.upstream] };
  const newSession = (label: string, profile?: string) => new ClientSession(config, pool, label, { profile, recorder: recording?.recorder(label), filters });
  log.info(`mcproxy ${PROXY_VERSION}: ${config.upstreams.length} upstream(s) from ${config.file}`);
  const stopOperations = async () => {
    await operations.close();
    await tracing.shutdown();
  };

  if (config.server.transport === 'stdio') {
    const session = newSession('stdio', options.profile);
    let open = true;
    sessions = () => (open ? 1 : 0);
    const { closed } = await startStdioListener(session);
    void closed.then(() => (open = false));
    const stop = async () => {
      await session.close();
      await recording?.shutdown();
      await pool.close();
      await stopOperations();
    };
    return {
      adminUrl: operations.adminUrl,
      stopped: closed.then(() => recording?.shutdown()).then(() => pool.close()).then(stopOperations),
      stop,
    };
  }

  const refusal = anonymousBindRefusal(config.server.host, config.server.auth);
  if (refusal) throw new Error(refusal);
  const chain = httpFilters(config.server, { beforeAuth: operations.beforeAuth, afterAuth: operations.afterAuth });
  const listener = await startHttpListener({ ...config.server, profiles: Object.keys(config.profiles), filters: chain }, newSession);
  sessions = () => listener.sessionCount();
  let stopped!: () => void;
  const whenStopped = new Promise<void>((resolve) => (stopped = resolve));
  return {
    url: listener.url,
    adminUrl: operations.adminUrl,
    stopped: whenStopped,
    async stop() {
      await listener.close();
      await recording?.shutdown();
      await pool.close();
      await stopOperations();
      stopped();
    },
  };
}
