// The chain of proxies carried in initialize, and the loop check on it. Pure, no I/O.
import assert from 'node:assert/strict';
import { chainOf, isLoopRefusal, loopRefusal, proxyIdentity, withChain, CHAIN_CAPABILITY } from '../../src/session/chain.js';
import type { ProxyConfig } from '../../src/config/schema.js';

const config = (file: string, name = 'mcproxy') => ({ file, server: { name } }) as ProxyConfig;

describe('proxy chain', () => {
  const a = proxyIdentity(config('/etc/a.yaml', 'a'));
  const b = proxyIdentity(config('/etc/b.yaml', 'b'));

  it('identifies a proxy by its config file: the same file is the same proxy, another file another', () => {
    assert.deepEqual(proxyIdentity(config('/etc/a.yaml', 'a')), a);
    assert.notEqual(a.id, b.id);
    assert.equal(a.label, 'a (/etc/a.yaml)');
  });

  it('round-trips the chain through client capabilities, keeping what else they declare', () => {
    const capabilities = withChain({ sampling: {}, experimental: { other: { x: 1 } } }, [a, b]);
    assert.deepEqual(chainOf(capabilities), [a, b]);
    assert.deepEqual(capabilities.sampling, {});
    assert.deepEqual(capabilities.experimental?.other, { x: 1 });
    assert.deepEqual(chainOf({}), [], 'a client that is not a proxy');
    assert.deepEqual(chainOf({ experimental: { [CHAIN_CAPABILITY]: { proxies: ['junk', { id: 1 }, { ...a }] } } }), [a], 'malformed entries are ignored');
  });

  it('refuses a proxy already in the chain, naming the loop from its first appearance', () => {
    const refusal = loopRefusal([b, a, b], a);
    assert.equal(refusal, 'mcproxy proxy loop refused: a (/etc/a.yaml) → b (/etc/b.yaml) → a (/etc/a.yaml)');
    assert.ok(isLoopRefusal(`MCP error -32600: ${refusal}`));
    assert.equal(loopRefusal([b], a), undefined);
    assert.equal(isLoopRefusal('Connection closed'), false);
  });
});
