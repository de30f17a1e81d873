// Reads everything an upstream offers, following its pagination to the end.
import type { Client } from '@modelcontextprotocol/client';
import type { UpstreamConfig } from '../config/schema.js';
import type { UpstreamListing } from '../catalog/listing.js';
import { log } from '../log.js';
import { upstreamError } from './errors.js';
import { LooseResult } from './looseSchemas.js';

/** A guard against a server whose cursors never end. */
const MAX_PAGES = 1_000;

export async function fetchListing(client: Client, config: UpstreamConfig): Promise<UpstreamListing> {
  const caps = client.getServerCapabilities() ?? {};
  const [tools, prompts, resources, resourceTemplates] = await Promise.all([
    caps.tools ? listAll(client, config, 'tools/list', 'tools') : [],
    caps.prompts ? listAll(client, config, 'prompts/list', 'prompts') : [],
    caps.resources ? listAll(client, config, 'resources/list', 'resources') : [],
    caps.resources ? listAll(client, config, 'resources/templates/list', 'resourceTemplates') : [],
  ]);
  const serverVersion = client.getServerVersion()?.version;
  return { upstream: config.name, namespace: config.namespace, tools, prompts, resources, resourceTemplates, ...(serverVersion && { serverVersion }) } as UpstreamListing;
}

function listAll(client: Client, config: UpstreamConfig, method: string, key: string): Promise<unknown[]> {
  return collectPages(config.name, method, key, async (cursor) => {
    try {
      return await client.request({ method, params: cursor === undefined ? {} : { cursor } } as never, LooseResult, {
        timeout: config.timeoutMs,
      });
    } catch (error) {
      throw upstreamError(config.name, method, config.timeoutMs, error);
    }
  });
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
