// The admin endpoints as one HTTP filter: /healthz (the process answers), /readyz (every
// required upstream is up; which are not, in the body), /metrics (Prometheus text), /status
// (an HTML page) and /status.json. Anything else passes on (to the MCP path, or to a 404).
import type { ServerResponse } from 'node:http';
import type { HttpFilter } from '../downstream/filters.js';
import { renderStatusPage, STATUS_PAGE_CSP } from './statusPage.js';
import type { StatusReport } from './statusReport.js';

export const ADMIN_PATHS = ['/healthz', '/readyz', '/metrics', '/status', '/status.json'] as const;

export interface AdminSource {
  report(): StatusReport;
  metricsText(): Promise<string>;
  metricsContentType: string;
}

export function adminEndpoints(source: AdminSource): HttpFilter {
  const paths: readonly string[] = ADMIN_PATHS;
  return async (req, res, context) => {
    const path = context.url.pathname;
    if (!paths.includes(path)) return true;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('Method Not Allowed\n');
      return false;
    }
    switch (path) {
      case '/healthz':
        json(res, 200, { status: 'ok' });
        break;
      case '/readyz': {
        const report = source.report();
        const down = report.upstreams.filter((u) => report.notReady.includes(u.name)).map((u) => ({ name: u.name, state: u.state, ...(u.lastError && { lastError: u.lastError }) }));
        json(res, down.length === 0 ? 200 : 503, down.length === 0 ? { status: 'ready' } : { status: 'not ready', down });
        break;
      }
      case '/metrics':
        res.writeHead(200, { 'content-type': source.metricsContentType, 'cache-control': 'no-store' }).end(await source.metricsText());
        break;
      case '/status.json':
        json(res, 200, source.report());
        break;
      case '/status':
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': STATUS_PAGE_CSP, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' })
          .end(renderStatusPage(source.report()));
        break;
    }
    return false;
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}
