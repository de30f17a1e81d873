// MCP Apps (the `io.modelcontextprotocol/ui` extension): a tool names its UI in
// `_meta.ui.resourceUri` (older servers: `_meta["ui/resourceUri"]`), a `ui://` resource the
// host reads and renders; the UI then calls its own server's tools by the names that server
// gave them. Through the proxy both must still meet their server: the URI is exposed the way
// the resource itself is (namespaced when another upstream took it first), and a call under an
// upstream's own tool name reaches that upstream when no exposed name is spelled so and exactly
// one app-serving upstream has a tool of that name that the view lets through. Pure.
import type { Tool } from '@modelcontextprotocol/server';
import type { Catalog, Route } from './catalog.js';

type Meta = Record<string, unknown>;

/** The UI resource a tool names, if any. */
export function uiResourceOf(tool: { _meta?: Meta }): string | undefined {
  const ui = tool._meta?.ui as { resourceUri?: unknown } | undefined;
  const uri = ui?.resourceUri ?? tool._meta?.['ui/resourceUri'];
  return typeof uri === 'string' ? uri : undefined;
}

/** The tool with its UI resource URI as the client must read it (`expose`), both spellings; unchanged when it needs none. */
export function exposeToolUi<T extends { _meta?: Meta }>(tool: T, expose: (uri: string) => string): T {
  const uri = uiResourceOf(tool);
  if (uri === undefined) return tool;
  const exposed = expose(uri);
  if (exposed === uri) return tool;
  const meta: Meta = { ...tool._meta };
  const ui = meta.ui as Meta | undefined;
  if (typeof ui?.resourceUri === 'string') meta.ui = { ...ui, resourceUri: exposed };
  if (typeof meta['ui/resourceUri'] === 'string') meta['ui/resourceUri'] = exposed;
  return { ...tool, _meta: meta };
}

/**
 * Routes for the names an app calls its server's tools by: upstream tool name → route, for
 * upstreams that serve an app (some tool of theirs names a UI). Only tools the catalog routes
 * (policy has passed them) are in it, so what is blocked stays blocked; a name two such
 * upstreams share, or one the catalog exposes itself, is left out.
 */
export function appToolRoutes(tools: readonly Tool[], routes: ReadonlyMap<string, Route>): Map<string, Route> {
  const appUpstreams = new Set(tools.filter((tool) => uiResourceOf(tool) !== undefined).map((tool) => routes.get(tool.name)?.upstream));
  const byOriginal = new Map<string, Route | null>();
  for (const [exposed, route] of routes) {
    if (!appUpstreams.has(route.upstream) || exposed === route.original || routes.has(route.original)) continue;
    byOriginal.set(route.original, byOriginal.has(route.original) ? null : route);
  }
  return new Map([...byOriginal].filter((entry): entry is [string, Route] => entry[1] !== null));
}

/** The routes a tools/call by `name` looks in: the exposed names, else the names an app knows its tools by. */
export function callRoutes(catalog: Pick<Catalog, 'toolRoutes' | 'appToolRoutes'>, name: unknown): ReadonlyMap<string, Route> {
  const byAppName = typeof name === 'string' && !catalog.toolRoutes.has(name) ? catalog.appToolRoutes : undefined;
  return byAppName?.has(name as string) ? byAppName : catalog.toolRoutes;
}
