// Puts the proxy together: the upstream pool, and a listener that opens one session per client.
import type { ProxyConfig } from './config/schema.js';
import { anonymousBindRefusal } from './downstream/auth/authFilter.js';
import { startHttpListener } from './downstream/http.js';
import { httpFilters } from './downstream/httpFilters.js';
import { startStdioListener } from './downstream/stdio.js';
import { log } from './log.js';
import { proxyIdentity } from './session/chain.js';
import { ClientSession } from './session/session.js';
import { UpstreamPool } from './upstream/pool.js';
import type { Caller } from './upstream/oauth/upstreamAuth.js';
import { PROXY_VERSION } from './version.js';
import { startRecording } from './vcon/forProxy.js';

export interface RunningProxy {
  /** The HTTP endpoint, in HTTP mode. */
  url?: string;
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
  const newSession = (label: string, profile?: string, caller?: Caller) => new ClientSession(config, pool, label, { profile, caller, recorder: recording?.recorder(label) });
  log.info(`mcproxy ${PROXY_VERSION}: ${config.upstreams.length} upstream(s) from ${config.file}`);

  if (config.server.transport === 'stdio') {
    const session = newSession('stdio', options.profile);
    const { closed } = await startStdioListener(session);
    const stop = async () => {
      await session.close();
      await recording?.shutdown();
      await pool.close();
    };
    return { stopped: closed.then(() => recording?.shutdown()).then(() => pool.close()), stop };
  }

  const refusal = anonymousBindRefusal(config.server.host, config.server.auth);
  if (refusal) throw new Error(refusal);
  const listener = await startHttpListener({ ...config.server, profiles: Object.keys(config.profiles), filters: httpFilters(config.server) }, newSession);
  let stopped!: () => void;
  const whenStopped = new Promise<void>((resolve) => (stopped = resolve));
  return {
    url: listener.url,
    stopped: whenStopped,
    async stop() {
      await listener.close();
      await recording?.shutdown();
      await pool.close();
      stopped();
    },
  };
}
