// Which upstreams keep warm spares, and which clients count as the same kind (src/upstream/spares.ts).
import assert from 'node:assert/strict';
import type { UpstreamConfig } from '../../src/config/schema.js';
import { CHAIN_CAPABILITY } from '../../src/session/chain.js';
import { kindOf, sparesFor } from '../../src/upstream/spares.js';

const stdio = (extra: Record<string, unknown> = {}) => ({ name: 'ev', command: 'node', args: [], shared: false, ...extra }) as unknown as UpstreamConfig;

describe('warm spares', () => {
  it('are kept for stdio upstreams with a connection per session: one by default, `spares` of them, none when shared or remote', () => {
    assert.equal(sparesFor(stdio()), 1);
    assert.equal(sparesFor(stdio({ spares: 3 })), 3);
    assert.equal(sparesFor(stdio({ spares: 0 })), 0);
    assert.equal(sparesFor(stdio({ shared: true })), 0);
    assert.equal(sparesFor({ name: 'r', url: 'http://127.0.0.1:1/mcp', shared: false } as unknown as UpstreamConfig), 0);
  });

  it('serve one kind of client: the same capabilities in any order, and nothing less or more', () => {
    const chain = { [CHAIN_CAPABILITY]: { proxies: [{ id: 'a', label: 'a' }] } };
    const kind = kindOf({ sampling: {}, roots: { listChanged: true }, experimental: chain });
    assert.equal(kindOf({ experimental: chain, roots: { listChanged: true }, sampling: {} }), kind);
    assert.notEqual(kindOf({ roots: { listChanged: true }, experimental: chain }), kind, 'without sampling');
    assert.notEqual(kindOf({ sampling: {}, roots: {}, experimental: chain }), kind, 'roots without listChanged');
    assert.notEqual(kindOf({ sampling: {}, roots: { listChanged: true }, experimental: { [CHAIN_CAPABILITY]: { proxies: [{ id: 'b', label: 'b' }] } } }), kind, 'another chain of proxies');
  });
});
