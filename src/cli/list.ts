// `mcproxy list`: connects to every upstream once and prints the catalog a client would see,
// each exposed name next to the original it comes from (`exposed ← original`).
import { buildCatalog, type Catalog } from '../catalog/catalog.js';
import type { UpstreamListing } from '../catalog/listing.js';
import type { View } from '../catalog/view.js';
import type { ProxyConfig } from '../config/schema.js';
import { proxyIdentity, withChain } from '../session/chain.js';
import type { UpstreamListener } from '../upstream/attachments.js';
import { healthSettings, UpstreamHealth } from '../upstream/health.js';
import { UpstreamConnection } from '../upstream/connection.js';
import { PROXY_VERSION } from '../version.js';
import { previewWithheld, type WithheldItem } from '../security/pinGuard.js';

export interface CatalogReport {
  entries: Array<{ kind: 'tool' | 'prompt' | 'resource' | 'resourceTemplate'; name: string; upstream: string; original: string }>;
  failed: Array<{ upstream: string; reason: string }>;
  /** Name and URI collisions (under `naming.onCollision: error` these refuse the start). */
  collisions: string[];
  /** Tools and prompts tool pinning withholds from clients (not in `entries`). */
  withheld: WithheldItem[];
}

export interface UpstreamListings {
  listings: UpstreamListing[];
  failed: CatalogReport['failed'];
}

const ignore: UpstreamListener<UpstreamConnection> = {
  onUpstreamNotification: () => {},
  onUpstreamRequest: async () => ({}),
  onUpstreamStatus: () => {},
};

/** Connects once to each upstream of `view` (as this proxy, so loops are refused) and reads what it offers. */
export async function collectListings(config: ProxyConfig, view: View): Promise<UpstreamListings> {
  const clientInfo = { name: config.server.name, version: PROXY_VERSION };
  const capabilities = withChain({}, [proxyIdentity(config)]);
  const connections = view.upstreams.map((upstream) => new UpstreamConnection(upstream, clientInfo, capabilities, new UpstreamHealth(upstream.name, healthSettings(upstream))));
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

export function catalogReport({ listings, failed }: UpstreamListings, view: View, withheld: WithheldItem[] = []): CatalogReport {
  // Only the listings of the view's upstreams.
  const included = new Set(view.upstreams.map((u) => u.name));
  const catalog = buildCatalog(listings.filter((l) => included.has(l.upstream)), view.catalogOptions);
  return {
    entries: entriesOf(catalog),
    failed: failed.filter((f) => included.has(f.upstream)),
    collisions: catalog.collisions,
    withheld: withheld.filter((w) => included.has(w.upstream)),
  };
}

/** The catalog a client of `view` would see, pinning included: withheld items are reported apart. */
export async function collectCatalog(config: ProxyConfig, view: View): Promise<CatalogReport> {
  const collected = await collectListings(config, view);
  const pinned = previewWithheld(config, collected.listings);
  return catalogReport({ ...collected, listings: pinned.listings }, view, pinned.withheld);
}

function entriesOf(catalog: Catalog): CatalogReport['entries'] {
  const plain = ({ upstream, original }: { upstream: string; original: string }) => ({ upstream, original });
  return [
    ...catalog.tools.map((t) => ({ kind: 'tool' as const, name: t.name, ...plain(catalog.toolRoutes.get(t.name)!) })),
    ...catalog.prompts.map((p) => ({ kind: 'prompt' as const, name: p.name, ...plain(catalog.promptRoutes.get(p.name)!) })),
    ...catalog.resources.map((r) => ({ kind: 'resource' as const, name: r.uri, ...plain(catalog.resourceRoutes.get(r.uri)!) })),
    ...catalog.templateRoutes.map((t) => ({ kind: 'resourceTemplate' as const, name: t.uriTemplate, upstream: t.upstream, original: t.uriTemplate })),
  ];
}

export function formatReport(report: CatalogReport): string {
  const rows = report.entries.map((e) => [e.kind, e.name, '←', `${e.upstream}/${e.original}`]);
  const header = ['KIND', 'EXPOSED', '←', 'UPSTREAM/ORIGINAL'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const out = [line(header), ...rows.map(line)];
  for (const c of report.collisions) out.push(`COLLISION ${c}`);
  for (const w of report.withheld) out.push(`WITHHELD ${w.kind} ${w.name} ← ${w.upstream}/${w.original}: ${w.why}; \`${w.diffCommand}\` shows it, \`${w.acceptCommand}\` serves it`);
  for (const f of report.failed) out.push(`FAILED upstream ${f.upstream}: ${f.reason}`);
  return out.join('\n') + '\n';
}
