// Resources and resource templates in the catalog: filtered by policy, a URI another upstream
// already listed exposed in its namespaced form, and routed back by URI. Pure, like catalog.ts.
import { UriTemplate } from '@modelcontextprotocol/server';
import type { Resource, ResourceTemplateType } from '@modelcontextprotocol/server';
import type { Policy } from '../config/policySchema.js';
import type { Catalog, CatalogOptions, Route } from './catalog.js';
import type { UpstreamListing } from './listing.js';
import { compileFilter } from './policy.js';
import { namespacedUri, parseNamespacedUri } from './uris.js';

export interface TemplateRoute {
  template: UriTemplate;
  uriTemplate: string;
  upstream: string;
}

/** Resources and templates past the filters; a URI a previous upstream took gets a namespaced form. */
export function buildResources(
  listings: readonly UpstreamListing[],
  options: CatalogOptions,
  policyOf: (upstream: string) => Policy,
  notes: string[],
  collisions: string[],
) {
  const viewFilters = (options.viewPolicies ?? []).map((view) => compileFilter(view.resources));
  const upstreamFilters = new Map(listings.map((l) => [l.upstream, compileFilter(policyOf(l.upstream).resources)]));
  const resourceAllowed = (upstream: string, uri: string) =>
    (upstreamFilters.get(upstream) ?? (() => false))(uri) && viewFilters.every((allowed) => allowed(uri));

  const resources: Resource[] = [];
  const resourceRoutes = new Map<string, Route>();
  const resourceTemplates: ResourceTemplateType[] = [];
  const templateRoutes: TemplateRoute[] = [];
  const upstreamTemplates = new Map<string, UriTemplate[]>();
  for (const listing of listings) {
    for (const resource of listing.resources) {
      if (!resourceAllowed(listing.upstream, resource.uri)) continue;
      const owner = resourceRoutes.get(resource.uri);
      let uri = resource.uri;
      if (owner) {
        uri = namespacedUri(listing.upstream, resource.uri);
        const sources = `resource ${resource.uri} of upstream ${owner.upstream} and of upstream ${listing.upstream}`;
        if (options.naming.onCollision === 'error') collisions.push(`URI collision: ${sources}`);
        notes.push(`URI collision: ${sources}; the latter is exposed as ${uri}`);
      }
      resourceRoutes.set(uri, { upstream: listing.upstream, original: resource.uri });
      resources.push(uri === resource.uri ? resource : { ...resource, uri });
    }
    const own: UriTemplate[] = [];
    for (const template of listing.resourceTemplates) {
      if (!resourceAllowed(listing.upstream, template.uriTemplate)) continue;
      const compiled = new UriTemplate(template.uriTemplate);
      own.push(compiled);
      resourceTemplates.push(template);
      templateRoutes.push({ template: compiled, uriTemplate: template.uriTemplate, upstream: listing.upstream });
    }
    upstreamTemplates.set(listing.upstream, own);
  }
  return { resources, resourceRoutes, resourceTemplates, templateRoutes, upstreamTemplates, resourceAllowed };
}

/**
 * The upstream that serves a resource URI: a listed resource first, then the first matching
 * template, then a namespaced URI (`mcproxy://<upstream>/<uri>`) for what that upstream offers.
 */
export function routeResource(catalog: Catalog, uri: string): Route | undefined {
  const exact = catalog.resourceRoutes.get(uri);
  if (exact) return exact;
  const byTemplate = catalog.templateRoutes.find((t) => t.template.match(uri) !== null && catalog.resourceAllowed(t.upstream, uri));
  if (byTemplate) return { upstream: byTemplate.upstream, original: uri };
  const namespaced = parseNamespacedUri(uri);
  if (!namespaced) return undefined;
  const templates = catalog.upstreamTemplates.get(namespaced.upstream) ?? [];
  const served = templates.some((t) => t.match(namespaced.original) !== null) && catalog.resourceAllowed(namespaced.upstream, namespaced.original);
  return served ? namespaced : undefined;
}

/** The upstream that owns a resource template, for completion/complete. */
export function routeTemplate(catalog: Catalog, uriTemplate: string): Route | undefined {
  const owner = catalog.templateRoutes.find((t) => t.uriTemplate === uriTemplate);
  return owner && { upstream: owner.upstream, original: uriTemplate };
}

/**
 * The URI a client must use for `uri` as `upstream` knows it: unchanged when it routes back to
 * that upstream (or nowhere, like an https link), else the namespaced form that does.
 */
export function exposeUri(catalog: Catalog, upstream: string, uri: string): string {
  const route = routeResource(catalog, uri);
  if (!route || (route.upstream === upstream && route.original === uri)) return uri;
  return namespacedUri(upstream, uri);
}
