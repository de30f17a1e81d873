// Reads everything an upstream offers, following its pagination to the end.
import type { Client } from '@modelcontextprotocol/client';
import type { UpstreamConfig } from '../config/schema.js';
import type { ListKind, UpstreamListing } from '../catalog/listing.js';
import { combineHints, hintOf, type CacheHint } from '../catalog/cacheHints.js';
import { log } from '../log.js';
import { upstreamError } from './errors.js';
import { LooseResult } from './looseSchemas.js';

/** A guard against a server whose cursors never end. */
const MAX_PAGES = 1_000;

export async function fetchListing(client: Client, config: UpstreamConfig): Promise<UpstreamListing> {
  const caps = client.getServerCapabilities() ?? {};
  // The caching hints of the lists it offers (a list it does not offer cannot go stale).
  const cacheHints: Partial<Record<ListKind, CacheHint>> = {};
  const list = (offered: unknown, method: string, key: ListKind) => (offered ? listAll(client, config, method, key, cacheHints) : []);
  const [tools, prompts, resources, resourceTemplates] = await Promise.all([
    list(caps.tools, 'tools/list', 'tools'),
    list(caps.prompts, 'prompts/list', 'prompts'),
    list(caps.resources, 'resources/list', 'resources'),
    list(caps.resources, 'resources/templates/list', 'resourceTemplates'),
  ]);
  const serverVersion = client.getServerVersion()?.version;
  return { upstream: config.name, namespace: config.namespace, tools, prompts, resources, resourceTemplates, cacheHints, ...(serverVersion && { serverVersion }) } as UpstreamListing;
}

async function listAll(client: Client, config: UpstreamConfig, method: string, key: ListKind, cacheHints: Partial<Record<ListKind, CacheHint>>): Promise<unknown[]> {
  const pageHints: Array<CacheHint | undefined> = [];
  const items = await collectPages(config.name, method, key, async (cursor) => {
    try {
      const page = await client.request({ method, params: cursor === undefined ? {} : { cursor } } as never, LooseResult, {
        timeout: config.timeoutMs,
      });
      pageHints.push(hintOf(page));
      return page;
    } catch (error) {
      throw upstreamError(config.name, method, config.timeoutMs, error);
    }
  });
  cacheHints[key] = combineHints(pageHints);
  return items;
}

/** Every item of a paginated list (`result[key]`), following nextCursor to the end. */
export async function collectPages(
  upstream: string,
  method: string,
  key: string,
  fetchPage: (cursor: string | undefined) => Promise<Record<string, unknown>>,
): Promise<unknown[]> {
  const items: unknown[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await fetchPage(cursor);
    const pageItems = result[key];
    if (Array.isArray(pageItems)) items.push(...pageItems);
    const next = result.nextCursor;
    if (typeof next !== 'string' || next === '') return items;
    if (seen.has(next)) {
      log.warn(`${method} repeated cursor ${JSON.stringify(next)}; stopping there`, { upstream });
      return items;
    }
    seen.add(next);
    cursor = next;
  }
  log.warn(`${method} returned more than ${MAX_PAGES} pages; stopping there`, { upstream });
  return items;
}
