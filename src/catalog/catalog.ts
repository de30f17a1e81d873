// The aggregated catalog: every upstream's tools, prompts, resources and resource templates
// under the names clients see, with the route back to the owner. Plain data, built by a pure
// function, so naming and routing are tested without any I/O.
import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import type { UpstreamListing } from './listing.js';
import { exposedName, uniqueName } from './names.js';

/** Where an exposed name or URI goes: the owning upstream and the name it knows. */
export interface Route {
  upstream: string;
  original: string;
}

export interface Catalog {
  tools: Tool[];
  prompts: Prompt[];
  resources: Resource[];
  resourceTemplates: ResourceTemplate[];
  toolRoutes: Map<string, Route>;
  promptRoutes: Map<string, Route>;
  /** Exact resource URI → owner. */
  resourceRoutes: Map<string, Route>;
  /** Templates in catalog order, tried in turn for URIs no listed resource has. */
  templateRoutes: Array<{ template: UriTemplate; uriTemplate: string; upstream: string }>;
  /** Collisions that were settled, for the log. */
  notes: string[];
}

/** Builds the catalog from the listings, in config order: earlier upstreams win collisions. */
export function buildCatalog(listings: readonly UpstreamListing[], separator: string): Catalog {
  const catalog: Catalog = {
    tools: [],
    prompts: [],
    resources: [],
    resourceTemplates: [],
    toolRoutes: new Map(),
    promptRoutes: new Map(),
    resourceRoutes: new Map(),
    templateRoutes: [],
    notes: [],
  };
  for (const listing of listings) {
    addNamed(listing, listing.tools, catalog.tools, catalog.toolRoutes, 'tool', separator, catalog.notes);
    addNamed(listing, listing.prompts, catalog.prompts, catalog.promptRoutes, 'prompt', separator, catalog.notes);
    for (const resource of listing.resources) {
      const owner = catalog.resourceRoutes.get(resource.uri);
      if (owner) {
        catalog.notes.push(`resource ${resource.uri} of ${listing.upstream} is hidden: ${owner.upstream} offers the same URI`);
        continue;
      }
      catalog.resourceRoutes.set(resource.uri, { upstream: listing.upstream, original: resource.uri });
      catalog.resources.push(resource);
    }
    for (const template of listing.resourceTemplates) {
      catalog.resourceTemplates.push(template);
      catalog.templateRoutes.push({
        template: new UriTemplate(template.uriTemplate),
        uriTemplate: template.uriTemplate,
        upstream: listing.upstream,
      });
    }
  }
  return catalog;
}

/** Adds tools or prompts under their exposed names; everything but `name` passes untouched. */
function addNamed<T extends { name: string }>(
  listing: UpstreamListing,
  items: readonly T[],
  into: T[],
  routes: Map<string, Route>,
  kind: string,
  separator: string,
  notes: string[],
): void {
  for (const item of items) {
    const wanted = exposedName(listing.namespace, separator, item.name);
    const name = uniqueName(wanted, listing.upstream, separator, routes);
    if (name !== wanted) {
      notes.push(`${kind} ${wanted} of ${listing.upstream} is exposed as ${name}: ${routes.get(wanted)!.upstream} has that name`);
    }
    routes.set(name, { upstream: listing.upstream, original: item.name });
    into.push({ ...item, name });
  }
}

/** The upstream that serves a resource URI: a listed resource first, then the first matching template. */
export function routeResource(catalog: Catalog, uri: string): Route | undefined {
  const exact = catalog.resourceRoutes.get(uri);
  if (exact) return exact;
  const byTemplate = catalog.templateRoutes.find((t) => t.template.match(uri) !== null);
  return byTemplate && { upstream: byTemplate.upstream, original: uri };
}

/** The upstream that owns a resource template, for completion/complete. */
export function routeTemplate(catalog: Catalog, uriTemplate: string): Route | undefined {
  const owner = catalog.templateRoutes.find((t) => t.uriTemplate === uriTemplate);
  return owner && { upstream: owner.upstream, original: uriTemplate };
}
