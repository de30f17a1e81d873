// The request metrics' tallies (telemetry/tallies.ts) expose what prom-client's own Counter and
// Histogram would for the same updates: the same samples, read by the strict exposition reader.
import assert from 'node:assert/strict';
import { Counter, Histogram, Registry } from 'prom-client';
import { CounterTally, HistogramTally } from '../../src/telemetry/tallies.js';
import { parsePrometheus } from '../helpers/prometheus.js';

describe('request metric tallies', () => {
  const bounds = [0.005, 0.01, 0.025];
  const latencies: Array<[number, string, string]> = [
    [0.003, 'tools/call', 'ev'],
    [0.02, 'tools/call', 'ev'],
    [0.025, 'tools/call', 'ev'],
    [100, 'tools/call', 'ev'],
    [0.007, 'resources/read', 'fs'],
  ];
  const outcomes: Array<[string, string]> = [
    ['tools/call', 'ok'],
    ['tools/call', 'ok'],
    ['tools/call', 'tool_error'],
    ['prompts/get', 'error'],
  ];

  it('expose the samples prom-client’s Counter and Histogram expose for the same updates', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const counter = new CounterTally('requests_total', 'Requests', ['method', 'outcome'], ours);
    const histogram = new HistogramTally('latency_seconds', 'Latency', ['method', 'upstream'], bounds, ours);
    const promCounter = new Counter({ name: 'requests_total', help: 'Requests', labelNames: ['method', 'outcome'], registers: [theirs] });
    const promHistogram = new Histogram({ name: 'latency_seconds', help: 'Latency', labelNames: ['method', 'upstream'], buckets: bounds, registers: [theirs] });
    for (const [method, outcome] of outcomes) {
      counter.inc(method, outcome);
      promCounter.inc({ method, outcome });
    }
    for (const [value, method, upstream] of latencies) {
      histogram.observe(value, method, upstream);
      promHistogram.observe({ method, upstream }, value);
    }
    const exposed = parsePrometheus(await ours.metrics());
    assert.deepEqual(exposed, parsePrometheus(await theirs.metrics()));
    assert.equal(exposed.samples.get('latency_seconds_bucket{le="0.025",method="tools/call",upstream="ev"}'), 3);
    assert.equal(exposed.samples.get('requests_total{method="tools/call",outcome="ok"}'), 2);
  });

  it('start again from nothing after a reset', async () => {
    const registry = new Registry();
    const counter = new CounterTally('requests_total', 'Requests', ['method', 'outcome'], registry);
    counter.inc('tools/call', 'ok');
    registry.resetMetrics();
    counter.inc('tools/call', 'error');
    assert.deepEqual([...parsePrometheus(await registry.metrics()).samples], [['requests_total{method="tools/call",outcome="error"}', 1]]);
  });
});
