// The pure parts of the HTTP limits: the nesting scan and the token buckets.
import assert from 'node:assert/strict';
import { nestingExceeds, nestingExceedsBytes } from '../../src/downstream/limits/jsonBody.js';
import { tokenBuckets } from '../../src/downstream/limits/rateLimit.js';
import { failureWindow } from '../../src/downstream/limits/authFailures.js';

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

  it('answers alike on the UTF-8 bytes (the stdio transport checks lines before decoding them)', () => {
    for (const text of ['[[[1]]]', '{"a":{"b":[1]}}', '{"a":"[[[[[[{{{{"}', '{"a":"\\"[[[["}', '{"a":"\\\\"}', '{"é€😀":["\\😀[",{"ü":[[1]]}]}', '"an unterminated string [[[', '{{{{']) {
      for (let depth = 0; depth <= 4; depth++) assert.equal(nestingExceedsBytes(Buffer.from(text), depth), nestingExceeds(text, depth), `${text} at ${depth}`);
    }
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

describe('failureWindow (failed authentication per address)', () => {
  const limit = { maxFailures: 3, windowMs: 10_000 };

  it('lets an address try until it has failed maxFailures times within the window', () => {
    const window = failureWindow(limit);
    window.failed('a', 0);
    window.failed('a', 1_000);
    assert.equal(window.blockedFor('a', 1_500), 0);
    window.failed('a', 2_000);
    assert.equal(window.blockedFor('a', 2_500), 8, 'until the first failure is 10 s old');
    assert.equal(window.blockedFor('b', 2_500), 0, 'other addresses are not affected');
  });

  it('forgets failures older than the window', () => {
    const window = failureWindow(limit);
    for (const at of [0, 1_000, 2_000]) window.failed('a', at);
    assert.equal(window.blockedFor('a', 10_000), 0, 'two failures left in the window');
    window.failed('a', 10_500);
    assert.equal(window.blockedFor('a', 10_600), 1, 'three again: until the one at 1 s is 10 s old');
    assert.equal(window.blockedFor('a', 11_000), 0);
  });
});
