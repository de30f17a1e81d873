// The pure parts of the HTTP limits: the nesting scan and the token buckets.
import assert from 'node:assert/strict';
import { nestingExceeds } from '../../src/downstream/limits/jsonBody.js';
import { tokenBuckets } from '../../src/downstream/limits/rateLimit.js';

describe('nestingExceeds', () => {
  it('counts arrays and objects, and nothing inside strings', () => {
    assert.equal(nestingExceeds('[[[1]]]', 3), false);
    assert.equal(nestingExceeds('[[[1]]]', 2), true);
    assert.equal(nestingExceeds('{"a":{"b":[1]}}', 3), false);
    assert.equal(nestingExceeds('{"a":"[[[[[[{{{{"}', 1), false);
    assert.equal(nestingExceeds('{"a":"\\"[[[["}', 1), false); // an escaped quote does not end the string
  });

  it('handles a million levels without recursion', () => {
    assert.equal(nestingExceeds('['.repeat(1_000_000), 64), true);
  });
});

describe('tokenBuckets', () => {
  it('allows a burst, then asks to wait until a token is back', () => {
    const take = tokenBuckets({ perSecond: 2, burst: 3 });
    assert.deepEqual([take('a', 0), take('a', 0), take('a', 0)], [0, 0, 0]);
    assert.equal(take('a', 0), 1); // half a second to the next token: Retry-After rounds up
    assert.equal(take('a', 500), 0);
    assert.equal(take('a', 500), 1);
  });

  it('keeps clients apart', () => {
    const take = tokenBuckets({ perSecond: 1, burst: 1 });
    assert.equal(take('a', 0), 0);
    assert.equal(take('b', 0), 0);
    assert.equal(take('a', 0), 1);
  });

  it('without a burst, allows one second of requests at once', () => {
    const take = tokenBuckets({ perSecond: 5 });
    const results = Array.from({ length: 6 }, () => take('a', 0));
    assert.deepEqual(results, [0, 0, 0, 0, 0, 1]);
  });
});
