import assert from 'node:assert/strict';
import { CallStats, percentile, WINDOW } from '../../src/ops/callStats.js';
import { notReady, type UpstreamStatus } from '../../src/ops/upstreamStatus.js';

describe('call statistics and readiness', () => {
  it('nearest-rank percentiles over the latest calls, errors counted', () => {
    assert.equal(percentile([], 0.5), undefined);
    assert.equal(percentile([7], 0.95), 7);
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(sorted, 0.5), 50);
    assert.equal(percentile(sorted, 0.95), 95);
    const stats = new CallStats();
    for (let i = 1; i <= WINDOW + 50; i++) stats.record('ev', i, i % 10 !== 0);
    const ev = stats.of('ev');
    assert.equal(ev.calls, WINDOW + 50);
    assert.equal(ev.errors, (WINDOW + 50) / 10);
    assert.equal(ev.recent.length, WINDOW, 'a bounded window');
    assert.equal(ev.recent[0].ms, 51, 'the oldest fall out');
    assert.equal(ev.p50Ms, 150);
    assert.deepEqual(stats.of('other'), { calls: 0, errors: 0, recent: [] });
  });

  it('is not ready while a required upstream is down or connecting; idle and optional ones do not count', () => {
    const status = (name: string, state: UpstreamStatus['state'], required: boolean): UpstreamStatus => ({ name, state, required, restarts: 0, connections: 1, queued: 0 });
    const all = [status('a', 'ready', true), status('b', 'idle', true), status('c', 'down', false), status('d', 'down', true), status('e', 'connecting', true)];
    assert.deepEqual(notReady(all).map((s) => s.name), ['d', 'e']);
  });
});
