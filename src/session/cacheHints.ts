// The caching hints a 2026-07-28 client gets on the proxy's lists and reads (catalog/cacheHints.ts
// derives them). 2025-11-25 clients have no such fields and get none.
import type { Result } from '@modelcontextprotocol/server';
import { NO_CACHING, forView, hintOf, viewIsPersonal } from '../catalog/cacheHints.js';
import type { Catalog } from '../catalog/catalog.js';
import type { ListKind } from '../catalog/listing.js';
import type { ClientSession } from './session.js';

/** A page of one of the proxy's lists, with the hint of the upstream lists it is made of and the view. */
export function withListHint(session: ClientSession, catalog: Catalog, list: ListKind, page: Result): Result {
  if (!session.speaksModern()) return page;
  return { ...page, ...forView(catalog.cacheHints?.[list] ?? NO_CACHING, viewIsPersonal(session.config, session.view)) };
}

/** An upstream's read as relayed: its own hint (the SDK fills the careful default when it gave none), private in a personal view. */
export function withReadHint(session: ClientSession, result: Result): Result {
  const hint = hintOf(result);
  if (!session.speaksModern() || !hint) return result;
  return { ...result, ...forView(hint, viewIsPersonal(session.config, session.view)) };
}
