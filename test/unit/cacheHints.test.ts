// Caching hints of the proxy's lists: the most careful of the upstreams' hints and the view's.
import assert from 'node:assert/strict';
import { NO_CACHING, combineHints, forView, hintOf, listHints, viewIsPersonal } from '../../src/catalog/cacheHints.js';
import { buildCatalog, plainOptions } from '../../src/catalog/catalog.js';
import { emptyListing, type UpstreamListing } from '../../src/catalog/listing.js';
import type { ProxyConfig, UpstreamConfig } from '../../src/config/schema.js';

const PUBLIC_MINUTE = { ttlMs: 60_000, cacheScope: 'public' } as const;
const PRIVATE_SECOND = { ttlMs: 1_000, cacheScope: 'private' } as const;

function listing(upstream: string, cacheHints?: UpstreamListing['cacheHints']): UpstreamListing {
  return { ...emptyListing(upstream, upstream), tools: [{ name: 't', inputSchema: { type: 'object' } }], ...(cacheHints && { cacheHints }) };
}

describe('caching hints', () => {
  it('reads a result’s hint, with invalid fields as the careful default', () => {
    assert.deepEqual(hintOf({ tools: [], ttlMs: 5, cacheScope: 'public' }), { ttlMs: 5, cacheScope: 'public' });
    assert.deepEqual(hintOf({ ttlMs: -1, cacheScope: 'everyone' }), NO_CACHING);
    assert.equal(hintOf({ tools: [] }), undefined);
  });

  it('combines sources into the smallest TTL, private if any is', () => {
    assert.deepEqual(combineHints([PUBLIC_MINUTE, { ttlMs: 5_000, cacheScope: 'public' }]), { ttlMs: 5_000, cacheScope: 'public' });
    assert.deepEqual(combineHints([PUBLIC_MINUTE, PRIVATE_SECOND]), PRIVATE_SECOND);
    assert.deepEqual(combineHints([PUBLIC_MINUTE, undefined]), NO_CACHING, 'a source without a hint allows nothing');
    assert.deepEqual(combineHints([]), NO_CACHING);
  });

  it('gives each list the hint of the upstreams that offer it', () => {
    const modern = listing('a', { tools: PUBLIC_MINUTE, prompts: PRIVATE_SECOND });
    const other = listing('b', { tools: { ttlMs: 30_000, cacheScope: 'public' } });
    const hints = listHints([modern, other]);
    assert.deepEqual(hints.tools, { ttlMs: 30_000, cacheScope: 'public' });
    assert.deepEqual(hints.prompts, PRIVATE_SECOND, 'b offers no prompts: it does not count');
    assert.deepEqual(hints.resources, NO_CACHING, 'nobody offers resources');
    // A legacy (or down) upstream's listing has no hints: every list it may offer is uncacheable.
    assert.deepEqual(listHints([modern, listing('legacy')]).tools, NO_CACHING);
    assert.deepEqual(buildCatalog([modern, other], plainOptions()).cacheHints?.tools, { ttlMs: 30_000, cacheScope: 'public' });
  });

  it('makes every hint private in a view that depends on the credential', () => {
    const config = (auth?: object) => ({ server: { auth } }) as unknown as ProxyConfig;
    const shared = { upstreams: [{ name: 'a' } as UpstreamConfig] };
    const perUser = { upstreams: [{ name: 'a', credentials: 'perUser' } as unknown as UpstreamConfig] };
    assert.equal(viewIsPersonal(config(), shared), false);
    assert.equal(viewIsPersonal(config(), perUser), true);
    assert.equal(viewIsPersonal(config({ apiKeys: ['k'] }), shared), true);
    assert.equal(viewIsPersonal(config({ oauth: { issuer: 'https://issuer' } }), shared), true);
    assert.equal(viewIsPersonal(config({ allowAnonymous: true }), shared), false);
    assert.deepEqual(forView(PUBLIC_MINUTE, true), { ttlMs: 60_000, cacheScope: 'private' });
    assert.deepEqual(forView(PUBLIC_MINUTE, false), PUBLIC_MINUTE);
  });
});
