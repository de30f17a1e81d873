import assert from 'node:assert/strict';
import { CallStats, percentile, WINDOW } from '../../src/ops/callStats.js';
import { notReady, upstreamStatuses, type UpstreamStatus } from '../../src/ops/upstreamStatus.js';
import { UpstreamHealth, type UpstreamHealthRegistry } from '../../src/upstream/health.js';

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

  it('is not ready while a required upstream is starting, down or failed; idle and optional ones do not count', () => {
    const status = (name: string, state: UpstreamStatus['state'], required: boolean): UpstreamStatus => ({ name, state, since: 0, required, failMode: 'closed', restarts: 0, connections: 1, queued: 0 });
    const all = [
      status('a', 'up', true),
      status('b', 'idle', true),
      status('c', 'down', false),
      status('d', 'down', true),
      status('e', 'starting', true),
      status('f', 'failed', true),
    ];
    assert.deepEqual(notReady(all).map((s) => s.name), ['d', 'e', 'f']);
  });

  it('reads state, since, restarts and required from the upstream health records, tools and queue from live connections', async () => {
    let now = 1_000;
    const settings = { restart: { maxFailures: 2, windowMs: 60_000, initialDelayMs: 1, maxDelayMs: 1 }, required: true, failMode: 'open' as const };
    const ev = new UpstreamHealth('ev', settings, () => now);
    const idle = new UpstreamHealth('idle', { ...settings, required: false }, () => now);
    const registry: UpstreamHealthRegistry = { get: (name) => [ev, idle].find((h) => h.name === name), all: () => [ev, idle] };
    const live = [
      { name: 'ev', state: 'ready', queued: 2, lastKnownListing: { tools: [1, 2, 3] } },
      { name: 'ev', state: 'ready', queued: 1 },
      { name: 'ev', state: 'closed', queued: 5 },
    ];
    await ev.admit();
    now = 2_000;
    ev.success();
    let [evStatus, idleStatus] = upstreamStatuses(registry, { connections: () => live });
    assert.deepEqual(evStatus, { name: 'ev', state: 'up', since: 2_000, restarts: 0, tools: 3, required: true, failMode: 'open', connections: 2, queued: 3 });
    const { since: _idleSince, ...idleRest } = idleStatus;
    assert.deepEqual(idleRest, { name: 'idle', state: 'idle', restarts: 0, required: false, failMode: 'open', connections: 0, queued: 0 });

    now = 3_000;
    ev.failure('exited with code 1');
    [evStatus] = upstreamStatuses(registry, { connections: () => [] });
    assert.equal(evStatus.state, 'down');
    assert.equal(evStatus.lastError, 'exited with code 1');
    assert.deepEqual(notReady([evStatus]).map((s) => s.name), ['ev']);
    now = 4_000;
    assert.equal(await ev.admit(), true, 'the backoff is over: this start probes');
    ev.failure('exited with code 1');
    [evStatus] = upstreamStatuses(registry, { connections: () => [] });
    assert.equal(evStatus.state, 'failed');
    assert.equal(evStatus.restarts, 1);
    assert.deepEqual(notReady([evStatus]).map((s) => s.name), ['ev']);
  });
});
