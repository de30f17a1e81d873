// `mcproxy list`: connects to every upstream once and prints the catalog a client would see.
import { buildCatalog, type Catalog } from '../catalog/catalog.js';
import type { UpstreamListing } from '../catalog/listing.js';
import type { ProxyConfig } from '../config/schema.js';
import type { UpstreamListener } from '../upstream/attachments.js';
import { UpstreamConnection } from '../upstream/connection.js';
import { PROXY_VERSION } from '../version.js';

export interface CatalogReport {
  entries: Array<{ kind: 'tool' | 'prompt' | 'resource' | 'resourceTemplate'; name: string; upstream: string; original: string }>;
  failed: Array<{ upstream: string; reason: string }>;
}

const ignore: UpstreamListener<UpstreamConnection> = {
  onUpstreamNotification: () => {},
  onUpstreamRequest: async () => ({}),
  onUpstreamStatus: () => {},
};

export async function collectCatalog(config: ProxyConfig): Promise<CatalogReport> {
  const { listings, failed } = await collectListings(config);
  return { entries: entriesOf(buildCatalog(listings, config.naming.separator)), failed };
}

/** Connects to every upstream once and returns what each lists, and which failed and why. */
export async function collectListings(config: ProxyConfig): Promise<{ listings: UpstreamListing[]; failed: CatalogReport['failed'] }> {
  const clientInfo = { name: config.server.name, version: PROXY_VERSION };
  const connections = config.upstreams.map((upstream) => new UpstreamConnection(upstream, clientInfo, {}));
  connections.forEach((connection) => connection.attach(ignore));
  try {
    await Promise.all(connections.map((connection) => connection.whenSettled()));
    const failed: CatalogReport['failed'] = [];
    const listings: UpstreamListing[] = [];
    for (const connection of connections) {
      if (connection.state !== 'ready') {
        failed.push({ upstream: connection.name, reason: connection.lastError ?? connection.state });
        continue;
      }
      try {
        listings.push(await connection.listing());
      } catch (error) {
        failed.push({ upstream: connection.name, reason: (error as Error).message });
      }
    }
    return { listings, failed };
  } finally {
    await Promise.all(connections.map((connection) => connection.close()));
  }
}

function entriesOf(catalog: Catalog): CatalogReport['entries'] {
  return [
    ...catalog.tools.map((t) => ({ kind: 'tool' as const, name: t.name, ...catalog.toolRoutes.get(t.name)! })),
    ...catalog.prompts.map((p) => ({ kind: 'prompt' as const, name: p.name, ...catalog.promptRoutes.get(p.name)! })),
    ...catalog.resources.map((r) => ({ kind: 'resource' as const, name: r.uri, ...catalog.resourceRoutes.get(r.uri)! })),
    ...catalog.templateRoutes.map((t) => ({ kind: 'resourceTemplate' as const, name: t.uriTemplate, upstream: t.upstream, original: t.uriTemplate })),
  ];
}

export function formatReport(report: CatalogReport): string {
  const rows = report.entries.map((e) => [e.kind, e.name, e.upstream, e.original]);
  const header = ['KIND', 'EXPOSED NAME', 'UPSTREAM', 'ORIGINAL NAME'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const out = [line(header), ...rows.map(line)];
  for (const f of report.failed) out.push(`FAILED upstream ${f.upstream}: ${f.reason}`);
  return out.join('\n') + '\n';
}
