// A strict reader of the Prometheus text exposition format (0.0.4): every line must be a
// HELP, a TYPE or a sample, every sample's family must have been typed first, and label
// values must be properly quoted. Returns the samples, by name and sorted labels. A value is what
// Go's ParseFloat takes, as the format says: NaN in any case (prom-client writes `Nan` for a
// default metric with no observations yet, such as the event loop lag right after a scrape).
import assert from 'node:assert/strict';

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*",?)*)\\})? (-?(?:[0-9.eE+-]+|[Nn][Aa][Nn]|\\+Inf|-Inf))(?: -?[0-9]+)?$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"/g;
const TYPES = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];

export interface Metrics {
  types: Map<string, string>;
  /** `name{a="1",b="2"}` (labels sorted) → value. */
  samples: Map<string, number>;
}

export function parsePrometheus(text: string): Metrics {
  const types = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      assert.ok(TYPES.includes(type[2]), `unknown type in: ${line}`);
      types.set(type[1], type[2]);
      continue;
    }
    if (/^# HELP \S+ .*$/.test(line)) continue;
    const sample = SAMPLE.exec(line);
    assert.ok(sample, `not a valid exposition line: ${JSON.stringify(line)}`);
    const [, name, labelText, value] = sample;
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count|total|created)$/, '');
    assert.ok(types.has(family) || types.has(name), `sample before its TYPE: ${line}`);
    const labels = [...(labelText ?? '').matchAll(LABEL)].map(([, key, v]) => `${key}="${v}"`).sort();
    samples.set(labels.length ? `${name}{${labels.join(',')}}` : name, Number(value.replace('+Inf', 'Infinity')));
  }
  return { types, samples };
}

/** A sample's value (0 when absent), labels in any order. */
export function sampleOf(metrics: Metrics, name: string, labels: Record<string, string> = {}): number {
  const keys = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).sort();
  return metrics.samples.get(keys.length ? `${name}{${keys.join(',')}}` : name) ?? 0;
}
