// `server.admin` with a port: the admin endpoints on a listener of their own (in stdio mode
// too). It runs the same Host/Origin guard as the MCP listener and, unless `admin.auth` is
// false, the same auth filters.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AdminConfig } from '../config/opsSchema.js';
import type { ProxyConfig } from '../config/schema.js';
import { authFilter, requiresCredentials } from '../downstream/auth/authFilter.js';
import { runFilters, type HttpFilter, type RequestContext } from '../downstream/filters.js';
import { checkHostAndOrigin, hostPolicy } from '../downstream/hostPolicy.js';
import { authFailureLimit } from '../downstream/limits/authFailures.js';
import { log } from '../log.js';

export interface AdminListener {
  url: string;
  close(): Promise<void>;
}

/** The admin filters behind auth when the config asks for it: for the MCP listener or the admin one. */
export function adminAuthFilters(admin: AdminConfig | undefined, server: ProxyConfig['server']): HttpFilter[] {
  if (admin?.auth === false || !requiresCredentials(server.auth)) return [];
  return [authFailureLimit(), authFilter(server.auth)];
}

export async function startAdminListener(admin: AdminConfig & { port: number }, server: ProxyConfig['server'], endpoints: HttpFilter): Promise<AdminListener> {
  const policy = hostPolicy(admin.host, server.allowedHosts, server.allowedOrigins);
  const filters = [...adminAuthFilters(admin, server), endpoints];
  let endpoint: URL;
  const httpServer = createServer((req, res) => {
    const refusal = checkHostAndOrigin(policy, req.headers.host, req.headers.origin);
    if (refusal) return void res.writeHead(403, { 'content-type': 'text/plain' }).end(`${refusal}\n`);
    const context: RequestContext = { url: new URL(req.url ?? '/', 'http://localhost'), endpoint, sessionCount: 0 };
    runFilters(filters, req, res, context).then(
      (passed) => passed && res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: the admin listener serves /healthz, /readyz, /metrics, /status, /status.json\n'),
      (error: Error) => {
        log.error(`admin request failed: ${error.message}`);
        if (!res.headersSent) res.writeHead(500).end();
        else res.end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(admin.port, admin.host, () => resolve());
  });
  const address = httpServer.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  endpoint = new URL(url);
  log.info(`admin endpoints on ${url} (/healthz /readyz /metrics /status)`);
  return {
    url,
    async close() {
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
