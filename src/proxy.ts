// Puts the proxy together: the upstream pool, and a listener that opens one session per client.
import type { ProxyConfig } from './config/schema.js';
import { anonymousBindRefusal } from './downstream/auth/authFilter.js';
import { startHttpListener } from './downstream/http.js';
import { httpFilters } from './downstream/httpFilters.js';
import { startStdioListener } from './downstream/stdio.js';
import { log } from './log.js';
import { ClientSession } from './session/session.js';
import { UpstreamPool } from './upstream/pool.js';
import { PROXY_VERSION } from './version.js';

export interface RunningProxy {
  /** The HTTP endpoint, in HTTP mode. */
  url?: string;
  /** Resolves when the proxy has stopped (stdio: the client went away). */
  stopped: Promise<void>;
  stop(): Promise<void>;
}

export async function startProxy(config: ProxyConfig): Promise<RunningProxy> {
  const pool = new UpstreamPool({ name: config.server.name, version: PROXY_VERSION });
  const newSession = (label: string) => new ClientSession(config, pool, label);
  log.info(`mcproxy ${PROXY_VERSION}: ${config.upstreams.length} upstream(s) from ${config.file}`);

  if (config.server.transport === 'stdio') {
    const session = newSession('stdio');
    const { closed } = await startStdioListener(session);
    const stop = async () => {
      await session.close();
      await pool.close();
    };
    return { stopped: closed.then(() => pool.close()), stop };
  }

  const refusal = anonymousBindRefusal(config.server.host, config.server.auth);
  if (refusal) throw new Error(refusal);
  const listener = await startHttpListener({ ...config.server, filters: httpFilters(config.server) }, newSession);
  let stopped!: () => void;
  const whenStopped = new Promise<void>((resolve) => (stopped = resolve));
  return {
    url: listener.url,
    stopped: whenStopped,
    async stop() {
      await listener.close();
      await pool.close();
      stopped();
    },
  };
}
