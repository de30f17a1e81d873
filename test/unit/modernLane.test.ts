// A 2026-07-28 client's results from a 2025-11-25 upstream (session/modernLane.ts): spliced as
// bytes, `resultType` and mcproxy's serverInfo after the result's own members, where nothing in
// it needs reading, and then the same answer result() makes of the parsed result; anything else
// is left to result(). And the envelope a call carries is compared with the accepted one by value.
import assert from 'node:assert/strict';
import { ModernEnvelope, sameJson } from '../../src/session/modernLane.js';
import type { ClientSession } from '../../src/session/session.js';

describe('the fast lane’s 2026-07-28 answers to a 2025-11-25 upstream’s results', () => {
  const envelope = new ModernEnvelope({ config: { server: { name: 'proxy', version: '9.9' } } } as unknown as ClientSession);
  /** The answer the client gets for `result` when spliced (the lane's line shape, as rawLane.ts cuts it), or undefined when it must be parsed. */
  const spliced = (result: string) => {
    const line = Buffer.from(`{"result":${result},"jsonrpc":"2.0","id":-1}`);
    const resultEnd = '{"result":'.length + Buffer.byteLength(result);
    if (!envelope.takesBytes(line, resultEnd)) return undefined;
    const members = line.subarray(0, resultEnd - 1);
    return JSON.parse(Buffer.concat([members, envelope.resultBytes(members), Buffer.from('"jsonrpc":"2.0","id":7}')]).toString());
  };
  const big = 'x'.repeat(20_000); // past the byte scan: searched by Buffer.includes

  it('splices what result() adds where nothing needs reading: the same answer, an empty result too', () => {
    for (const result of [
      '{}',
      '{"content":[{"type":"text","text":"a backslash and u \\\\u0041, \\"_meta\\" quoted, é"}]}',
      '{"content":[],"structuredContent":{"a":[1,{"b":null}]},"isError":true}',
      `{"content":[{"type":"text","text":"${big}"}]}`,
    ]) {
      assert.deepEqual(spliced(result), { result: envelope.result(JSON.parse(result)), jsonrpc: '2.0', id: 7 }, result.slice(0, 80));
    }
  });

  it('leaves to result() a result with `_meta`, `resultType` or `capabilities` anywhere, a \\u escape, or space before its closing brace', () => {
    for (const result of [
      '{"_meta":{"a":1}}',
      '{"content":[{"type":"text","text":"x","_meta":{}}]}',
      '{"resultType":"complete"}',
      '{"capabilities":{"tasks":{}}}',
      '{"content":[{"type":"text","text":"\\u0001"}]}',
      '{"content":[] }',
      '{ }',
      `{"content":[{"type":"text","text":"${big}"}],"_meta":{}}`,
    ]) {
      assert.equal(spliced(result), undefined, result.slice(0, 80));
    }
  });

  it('takes an envelope equal by value to the accepted one (keys in any order), and no other', () => {
    assert.ok(sameJson({ name: 'c', version: '1', extra: [1, { a: null }] }, { extra: [1, { a: null }], version: '1', name: 'c' }));
    assert.ok(sameJson({}, {}));
    for (const [a, b] of [
      [{ name: 'c' }, { name: 'c', version: '1' }],
      [{ sampling: {} }, {}],
      [{ a: [1, 2] }, { a: [2, 1] }],
      [{ a: {} }, { a: [] }],
      [{ a: null }, { a: {} }],
      [{ a: '1' }, { a: 1 }],
    ]) {
      assert.ok(!sameJson(a, b) && !sameJson(b, a), JSON.stringify([a, b]));
    }
  });
});
