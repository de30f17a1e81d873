// The fuzz runs (test/fuzz) with a small count: every bad input answered or dropped, the proxy
// up, the control sessions served. `npm run fuzz` runs 10,000 and prints figures.
import assert from 'node:assert/strict';
import { formatFigures, runFuzz } from '../fuzz/fuzz.js';

describe('fuzz (small run)', function () {
  this.timeout(180_000);

  it('answers or drops 400 bad inputs over stdio, HTTP and from a hostile upstream, and stays up', async () => {
    const result = await runFuzz(400, 7);
    const failures = result.figures.flatMap((f) => f.failures);
    assert.deepEqual(failures, [], formatFigures(result));
    assert.equal(result.figures.reduce((sum, f) => sum + f.inputs, 0), 400);
    for (const f of result.figures) assert.equal(f.answered + f.dropped, f.inputs, `${f.target}: ${formatFigures(result)}`);
  });
});
