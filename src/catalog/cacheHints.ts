// Caching hints (2026-07-28): lists and reads say how long a client may keep them (`ttlMs`) and
// whether a shared cache may hand them to other users (`cacheScope`). The proxy's lists are made
// of several upstreams' lists and shaped by the client's view, so their hint is the most careful
// of what went into them: the smallest TTL, and `private` as soon as any part is private or the
// view itself depends on who is asking. Pure functions.
import type { ProxyConfig } from '../config/schema.js';
import type { ListKind } from './listing.js';
import type { View } from './view.js';

export type CacheScope = 'public' | 'private';

export interface CacheHint {
  ttlMs: number;
  cacheScope: CacheScope;
}

/** What a source that said nothing (a 2025-11-25 upstream, a down one) allows: no reuse, no sharing. */
export const NO_CACHING: CacheHint = { ttlMs: 0, cacheScope: 'private' };

/** The hint a result carries, if it carries a valid one (a missing or invalid field counts as the careful default). */
export function hintOf(result: unknown): CacheHint | undefined {
  const fields = result as { ttlMs?: unknown; cacheScope?: unknown } | undefined;
  if (fields?.ttlMs === undefined && fields?.cacheScope === undefined) return undefined;
  const ttlMs = typeof fields.ttlMs === 'number' && Number.isSafeInteger(fields.ttlMs) && fields.ttlMs >= 0 ? fields.ttlMs : 0;
  const cacheScope = fields.cacheScope === 'public' ? 'public' : 'private';
  return { ttlMs, cacheScope };
}

/**
 * The hint of something made of these sources: the smallest TTL, private if any source is
 * (a source without a hint counts as NO_CACHING). No sources at all: nothing to promise.
 */
export function combineHints(sources: ReadonlyArray<CacheHint | undefined>): CacheHint {
  if (sources.length === 0) return NO_CACHING;
  let ttlMs = Number.POSITIVE_INFINITY;
  let cacheScope: CacheScope = 'public';
  for (const hint of sources) {
    const source = hint ?? NO_CACHING;
    ttlMs = Math.min(ttlMs, source.ttlMs);
    if (source.cacheScope === 'private') cacheScope = 'private';
  }
  return { ttlMs, cacheScope };
}

/**
 * Whether what a view shows depends on the credential of whoever asks: an upstream that acts
 * for each person (`credentials: perUser`), or a listener behind `server.auth`, where keys and
 * tokens choose profiles and a shared cache must not serve one person's answer to another.
 */
export function viewIsPersonal(config: Pick<ProxyConfig, 'server'>, view: Pick<View, 'upstreams'>): boolean {
  const auth = config.server.auth;
  if (auth && (auth.apiKeys !== undefined || auth.oauth !== undefined)) return true;
  return view.upstreams.some((upstream) => (upstream as { credentials?: string }).credentials === 'perUser');
}

/** A hint as the client gets it: private whenever the view is personal. */
export function forView(hint: CacheHint, personal: boolean): CacheHint {
  return personal ? { ...hint, cacheScope: 'private' } : hint;
}

/** The hint of each of the proxy's lists: combined over the upstreams that offer it. */
export function listHints(listings: ReadonlyArray<{ cacheHints?: Partial<Record<ListKind, CacheHint>> }>): Record<ListKind, CacheHint> {
  const hintFor = (kind: ListKind) =>
    // A listing without hints (a down upstream's, or one not listed yet) will change: it counts, as NO_CACHING.
    combineHints(listings.filter((listing) => !listing.cacheHints || kind in listing.cacheHints).map((listing) => listing.cacheHints?.[kind]));
  return { tools: hintFor('tools'), prompts: hintFor('prompts'), resources: hintFor('resources'), resourceTemplates: hintFor('resourceTemplates') };
}
