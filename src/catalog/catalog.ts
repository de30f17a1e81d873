// The aggregated catalog: every upstream's tools, prompts, resources and resource templates
// under the names clients see, with the route back to the owner. Plain data, built by a pure
// function from the listings and the policies, so naming, filtering and routing are tested
// without any I/O. What a policy hides is simply absent: nothing routes to it.
import type { Prompt, Resource, ResourceTemplateType, Tool, UriTemplate } from '@modelcontextprotocol/server';
import type { Naming, Policy } from '../config/policySchema.js';
import type { ListKind, UpstreamListing } from './listing.js';
import { listHints, type CacheHint } from './cacheHints.js';
import { appToolRoutes, exposeToolUi } from './apps.js';
import { exposedName, uniqueName, validName } from './names.js';
import { compileFilter, pinInputSchema, unknownPinned, type FilterSection, type PinnedArguments } from './policy.js';
import { buildResources, exposeUri, type TemplateRoute } from './resources.js';

export { exposeUri, routeResource, routeTemplate, type TemplateRoute } from './resources.js';

/** Where an exposed name or URI goes: the owning upstream and the name it knows. */
export interface Route {
  upstream: string;
  original: string;
  /** Tool arguments injected on every call (pinned by policy). */
  pinned?: PinnedArguments;
}

export interface Catalog {
  tools: Tool[];
  prompts: Prompt[];
  resources: Resource[];
  resourceTemplates: ResourceTemplateType[];
  toolRoutes: Map<string, Route>;
  promptRoutes: Map<string, Route>;
  /** Exact exposed resource URI → owner and the URI it knows. */
  resourceRoutes: Map<string, Route>;
  /** Templates in catalog order, tried in turn for URIs no listed resource has. */
  templateRoutes: TemplateRoute[];
  /** Every template an upstream offers past policy, duplicates too: what its namespaced URIs may match. */
  upstreamTemplates: Map<string, UriTemplate[]>;
  /** Whether policy lets a concrete URI of an upstream through (reads via templates obey blocks too). */
  resourceAllowed: (upstream: string, uri: string) => boolean;
  /** Collisions that were settled, pinned arguments a tool lacks: for the log. */
  notes: string[];
  /** Collisions under `naming.onCollision: error`, naming both sources. */
  collisions: string[];
  /** Tools an MCP App calls by its upstream's own names (apps.ts). */
  appToolRoutes?: Map<string, Route>;
  /** How long each list may be kept, and by whom (cacheHints.ts). */
  cacheHints?: Record<ListKind, CacheHint>;
}

export interface CatalogOptions {
  naming: Naming;
  /** Upstream key → its own policy sections (matched against original names). */
  upstreamPolicies?: ReadonlyMap<string, Policy>;
  /** Applied in order on exposed names: the top-level `policy:`, then the profile's. */
  viewPolicies?: readonly Policy[];
  /** The catalog this one replaces: a name it gave keeps its owner (run-time collisions). */
  previous?: Catalog;
}

/** Options with nothing but a separator, for callers that apply no policy. */
export function plainOptions(separator = '__'): CatalogOptions {
  return { naming: { separator, maxLength: 64, onCollision: 'suffix' } };
}

/** One tool or prompt on its way to the catalog. */
interface Candidate<T> {
  item: T;
  upstream: string;
  original: string;
  name: string;
  pinned?: PinnedArguments;
}

type NamedKind = 'tools' | 'prompts';

/** A tools or prompts section of a policy (prompts have no `arguments`). */
type PolicySection = FilterSection & { rename?: Record<string, string>; describe?: Record<string, string>; arguments?: Record<string, PinnedArguments> };

/** Builds the catalog from the listings, in config order: earlier upstreams win collisions. */
export function buildCatalog(listings: readonly UpstreamListing[], options: CatalogOptions): Catalog {
  const notes: string[] = [];
  const collisions: string[] = [];
  const views = options.viewPolicies ?? [];
  const policyOf = (upstream: string): Policy => options.upstreamPolicies?.get(upstream) ?? {};

  const named = <T extends { name: string; description?: string }>(kind: NamedKind, itemsOf: (l: UpstreamListing) => readonly T[]) => {
    let candidates = listings.flatMap((listing) => upstreamCandidates(listing, itemsOf(listing), policyOf(listing.upstream)[kind], options.naming, notes));
    for (const view of views) candidates = viewCandidates(candidates, view[kind], options.naming.maxLength);
    const previous = kind === 'tools' ? options.previous?.toolRoutes : options.previous?.promptRoutes;
    return settleNames(candidates, kind === 'tools' ? 'tool' : 'prompt', options.naming, previous, notes, collisions);
  };
  const tools = named('tools', (l) => l.tools);
  const prompts = named('prompts', (l) => l.prompts);
  const resources = buildResources(listings, options, policyOf, notes, collisions);
  const catalog: Catalog = { tools: tools.items, toolRoutes: tools.routes, prompts: prompts.items, promptRoutes: prompts.routes, ...resources, notes, collisions, cacheHints: listHints(listings) };
  // An app's UI resource is named as the client reads it, and its calls under the upstream's own names find their way.
  catalog.tools = catalog.tools.map((tool) => exposeToolUi(tool, (uri) => exposeUri(catalog, catalog.toolRoutes.get(tool.name)!.upstream, uri)));
  catalog.appToolRoutes = appToolRoutes(catalog.tools, catalog.toolRoutes);
  return catalog;
}

/** An upstream's items past its own filters, under its rename or its namespaced, valid name. */
function upstreamCandidates<T extends { name: string; description?: string }>(
  listing: UpstreamListing,
  items: readonly T[],
  section: PolicySection | undefined,
  naming: Naming,
  notes: string[],
): Candidate<T>[] {
  const allowed = compileFilter(section);
  noteMissing(listing, items, section, notes);
  return items
    .filter((item) => allowed(item.name))
    .map((item) => {
      const renamed = section?.rename?.[item.name];
      const name = renamed !== undefined ? validName(renamed, naming.maxLength) : validName(exposedName(listing.namespace, naming.separator, item.name), naming.maxLength);
      const pinned = section?.arguments?.[item.name];
      if (pinned) {
        const missing = unknownPinned((item as { inputSchema?: { properties?: Record<string, unknown> } }).inputSchema ?? {}, pinned);
        if (missing.length > 0) notes.push(`tool ${item.name} of ${listing.upstream} has no argument ${missing.join(', ')} to pin`);
      }
      return { item: described(item, section?.describe?.[item.name]), upstream: listing.upstream, original: item.name, name, pinned };
    });
}

/** Renames, descriptions and pins of names the upstream does not offer: likely typos (only said once it listed something). */
function noteMissing(listing: UpstreamListing, items: readonly { name: string }[], section: PolicySection | undefined, notes: string[]): void {
  if (!section || items.length === 0) return;
  const offered = new Set(items.map((item) => item.name));
  for (const key of ['rename', 'describe', 'arguments'] as const) {
    const names = Object.keys(section[key] ?? {}).filter((name) => !offered.has(name));
    if (names.length > 0) notes.push(`${key} names ${names.join(', ')}, which upstream ${listing.upstream} does not offer`);
  }
}

/** A view's filters, renames, descriptions and pins, keyed by the names exposed so far. */
function viewCandidates<T extends { name: string; description?: string }>(
  candidates: Candidate<T>[],
  section: PolicySection | undefined,
  maxLength: number,
): Candidate<T>[] {
  if (!section) return candidates;
  const allowed = compileFilter(section);
  return candidates
    .filter((candidate) => allowed(candidate.name))
    .map((candidate) => {
      const renamed = section.rename?.[candidate.name];
      const pinned = section.arguments?.[candidate.name];
      return {
        ...candidate,
        item: described(candidate.item, section.describe?.[candidate.name]),
        name: renamed !== undefined ? validName(renamed, maxLength) : candidate.name,
        pinned: pinned ? { ...candidate.pinned, ...pinned } : candidate.pinned,
      };
    });
}

function described<T extends { description?: string }>(item: T, description: string | undefined): T {
  return description === undefined ? item : { ...item, description };
}

/**
 * Gives every candidate a unique name. Names the previous catalog gave keep their owners, so a
 * collision that first appears at run time never takes a name away from a client; otherwise
 * config order decides. Under `onCollision: error` each collision is also recorded.
 */
function settleNames<T extends { name: string }>(
  candidates: Candidate<T>[],
  kind: 'tool' | 'prompt',
  naming: Naming,
  previous: Map<string, Route> | undefined,
  notes: string[],
  collisions: string[],
): { items: T[]; routes: Map<string, Route> } {
  const heldBefore = (c: Candidate<T>) => {
    const owner = previous?.get(c.name);
    return owner !== undefined && owner.upstream === c.upstream && owner.original === c.original;
  };
  const order = [...candidates.filter(heldBefore), ...candidates.filter((c) => !heldBefore(c))];
  const routes = new Map<string, Route>();
  const names = new Map<Candidate<T>, string>();
  for (const candidate of order) {
    const name = uniqueName(candidate.name, candidate.upstream, naming.separator, naming.maxLength, routes);
    if (name !== candidate.name) {
      const owner = routes.get(candidate.name)!;
      const sources = `${kind} ${candidate.name} of upstream ${owner.upstream} (${owner.original}) and of upstream ${candidate.upstream} (${candidate.original})`;
      if (naming.onCollision === 'error') collisions.push(`name collision: ${sources}`);
      notes.push(`name collision: ${sources}; the latter is exposed as ${name}`);
    }
    routes.set(name, { upstream: candidate.upstream, original: candidate.original, ...(candidate.pinned && { pinned: candidate.pinned }) });
    names.set(candidate, name);
  }
  // Listed in config order, whichever order the names were settled in.
  const items = candidates.map((candidate) => {
    const item = { ...candidate.item, name: names.get(candidate)! } as T & { inputSchema?: object };
    if (candidate.pinned && item.inputSchema) item.inputSchema = pinInputSchema(item.inputSchema, candidate.pinned);
    return item;
  });
  return { items, routes };
}
