// The fast lane's upstream side reads each line the child writes before anything else does:
// a result for one of its calls goes back as the child wrote it, up to its id, whatever its
// size; any other line, however short, is left to the usual reader.
import assert from 'node:assert/strict';
import type { LaneCall, LaneLink } from '../../src/upstream/rawLane.js';
import { UpstreamLane } from '../../src/upstream/rawLane.js';

describe('the fast lane reading a child’s lines', () => {
  const heads: string[] = [];
  const call: LaneCall = {
    upstreamId: 0,
    deadline: 0,
    settle: () => assert.fail('parsed, not taken as bytes'),
    takesBytes: () => true,
    settleBytes: (line, resultEnd) => void heads.push(line.subarray(0, resultEnd + 1).toString()),
    fail: (error) => assert.fail(error.message),
  };
  const lane = new UpstreamLane(async () => {}, { timeoutMs: () => 60_000 } as LaneLink);

  it('hands a small result back as written, up to its id, and leaves short or foreign lines alone', () => {
    lane.call(call, { name: 'echo' });
    for (const line of ['', '{}', '{"result":1}', '{"result":{},"jsonrpc":"2.0","id":5}']) assert.equal(lane.takeLine(Buffer.from(line)), false, line);
    assert.equal(lane.takeLine(Buffer.from(`{"result":{"content":[]},"jsonrpc":"2.0","id":${call.upstreamId}}`)), true);
    assert.deepEqual(heads, ['{"result":{"content":[]},']);
    lane.close();
  });

  it('reads the id from the line’s end: each result to its own call, a CR before the newline allowed, other endings left alone', () => {
    const lane = new UpstreamLane(async () => {}, { timeoutMs: () => 60_000 } as LaneLink);
    const got = new Map<number, string>();
    const calls = [0, 1, 2].map(() => ({ ...call, settleBytes: function (this: LaneCall, line: Buffer, resultEnd: number) { got.set(this.upstreamId, line.subarray(0, resultEnd + 1).toString()); } }));
    for (const c of calls) lane.call(c, { name: 'echo' });
    const [first, second, third] = calls.map((c) => c.upstreamId);
    for (const line of [`{"result":{},"id":${second}}`, `{"result":{},"jsonrpc":"2.0","id":${second}} `, `{"result":{},"jsonrpc":"2.0","id":-0000000000000000${-second}}`, `{"result":{},"jsonrpc":"2.0","id":-}`]) {
      assert.equal(lane.takeLine(Buffer.from(line)), false, line);
    }
    assert.equal(lane.takeLine(Buffer.from(`{"result":{"n":2},"jsonrpc":"2.0","id":${second}}\r`)), true);
    assert.equal(lane.takeLine(Buffer.from(`{"result":{"n":1},"jsonrpc":"2.0","id":${first}}`)), true);
    assert.deepEqual([...got], [[second, '{"result":{"n":2},'], [first, '{"result":{"n":1},']]);
    assert.equal(lane.takeLine(Buffer.from(`{"result":{"n":2},"jsonrpc":"2.0","id":${second}}`)), false, 'answered already');
    assert.equal(lane.takeLine(Buffer.from(`{"result":{"n":3},"jsonrpc":"2.0","id":${third}}`)), true);
    assert.equal(got.get(third), '{"result":{"n":3},');
    lane.close();
  });
});
