// `mcproxy status`: a running proxy's /status.json, as a table (or JSON), once or every 2 s.
import type { ProxyConfig } from '../config/schema.js';
import { formatStatus, type StatusReport } from '../ops/statusReport.js';

export const WATCH_INTERVAL_MS = 2_000;
const NOT_READY = 4;

/** Where the status is: --url, else the config's admin listener, else its HTTP listener. */
export function statusUrl(url: string | undefined, config: ProxyConfig | undefined): URL {
  if (url !== undefined) {
    const given = new URL(url);
    return given.pathname.endsWith('/status.json') ? given : new URL('/status.json', given);
  }
  const admin = config?.server.admin;
  const [host, port] = admin?.port !== undefined ? [admin.host, admin.port] : [config?.server.host ?? '127.0.0.1', config?.server.port ?? 8808];
  if (port === 0) throw new Error('the config listens on port 0 (any free port): give the address with --url');
  return new URL(`http://${host.includes(':') ? `[${host}]` : host}:${port}/status.json`);
}

export async function fetchStatus(url: URL, apiKey = process.env.MCPROXY_API_KEY): Promise<StatusReport> {
  let response: Response;
  try {
    response = await fetch(url, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {}, signal: AbortSignal.timeout(5_000) });
  } catch (error) {
    const cause = (error as Error).cause as Error | undefined;
    throw new Error(`cannot reach ${url.origin}: ${cause?.message ?? (error as Error).message}`);
  }
  if (response.status === 401) throw new Error(`${url.origin} asks for credentials: set MCPROXY_API_KEY`);
  if (!response.ok) throw new Error(`${url.href} answered HTTP ${response.status}`);
  return (await response.json()) as StatusReport;
}

export async function runStatus(
  command: { url?: string; watch: boolean; json: boolean },
  config: ProxyConfig | undefined,
  write: (text: string) => void,
): Promise<number> {
  let url: URL;
  try {
    url = statusUrl(command.url, config);
  } catch (error) {
    process.stderr.write(`mcproxy status: ${(error as Error).message}\n`);
    return 2;
  }
  const once = async (): Promise<number> => {
    try {
      const report = await fetchStatus(url);
      write(command.json ? JSON.stringify(report, null, 2) + '\n' : formatStatus(report));
      return report.notReady.length > 0 ? NOT_READY : 0;
    } catch (error) {
      process.stderr.write(`mcproxy status: ${(error as Error).message}\n`);
      return 1;
    }
  };
  if (!command.watch) return once();
  for (;;) {
    if (!command.json && process.stdout.isTTY) write('\x1b[2J\x1b[H');
    await once();
    await new Promise((resolve) => setTimeout(resolve, WATCH_INTERVAL_MS));
  }
}
