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
    settleBytes: (head) => void heads.push(head.toString()),
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
});
