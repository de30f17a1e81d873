// What one upstream offers, as it listed it: the input the catalog is built from.
import type { CacheHint } from './cacheHints.js';
import type { Prompt, Resource, ResourceTemplateType, Tool } from '@modelcontextprotocol/server';

export interface UpstreamListing {
  /** The upstream's key in the config. */
  upstream: string;
  /** Prefix for its tool and prompt names ("" for none). */
  namespace: string;
  tools: Tool[];
  prompts: Prompt[];
  resources: Resource[];
  resourceTemplates: ResourceTemplateType[];
  /** The caching hint of each list it offers (cacheHints.ts); absent when it has not listed (down, not yet started). */
  cacheHints?: Partial<Record<ListKind, CacheHint>>;
  /** The server's version (serverInfo.version) when it listed: pins tell an update from a same-version change. */
  serverVersion?: string;
}

export type ListKind = 'tools' | 'prompts' | 'resources' | 'resourceTemplates';

export const LIST_KINDS: readonly ListKind[] = ['tools', 'prompts', 'resources', 'resourceTemplates'];

/** What an upstream offers before it has said: nothing. */
export function emptyListing(upstream: string, namespace: string): UpstreamListing {
  return { upstream, namespace, tools: [], prompts: [], resources: [], resourceTemplates: [] };
}
