// The request metrics as plain tallies: a Map entry per set of label values, updated with a few
// additions per request, handed to prom-client's registry as samples only when /metrics is
// scraped. prom-client's own Counter and Histogram check and hash their labels on every update,
// which cost more than the rest of a metered call through the fast lane.
import type { Registry } from 'prom-client';

type Labels = Record<string, string | number>;

interface Sample {
  labels: Labels;
  value: number;
  metricName?: string;
}

/** What prom-client's registry reads of a metric (Registry.registerMetric takes any such object). */
abstract class Tally<Entry extends { labels: Labels }> {
  readonly aggregator = 'sum';
  protected readonly entries = new Map<string, Entry>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'histogram',
    private readonly labelNames: readonly string[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  /** The entry for these label values (in labelNames' order), made at their first use. */
  protected entry(values: readonly string[]): Entry {
    const key = values.length === 1 ? values[0] : values.join('\0');
    let entry = this.entries.get(key);
    if (!entry) {
      const labels: Labels = {};
      this.labelNames.forEach((name, i) => (labels[name] = values[i]));
      this.entries.set(key, (entry = this.create(labels)));
    }
    return entry;
  }

  protected abstract create(labels: Labels): Entry;
  protected abstract samples(entry: Entry): Sample[];

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }> {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: [...this.entries.values()].flatMap((entry) => this.samples(entry)) };
  }

  reset(): void {
    this.entries.clear();
  }
}

export class CounterTally extends Tally<{ labels: Labels; value: number }> {
  constructor(name: string, help: string, labelNames: readonly string[], registry: Registry) {
    super(name, help, 'counter', labelNames, registry);
  }

  inc(...values: string[]): void {
    this.entry(values).value++;
  }

  protected create(labels: Labels) {
    return { labels, value: 0 };
  }

  protected samples(entry: { labels: Labels; value: number }): Sample[] {
    return [{ labels: entry.labels, value: entry.value }];
  }
}

interface Observations {
  labels: Labels;
  /** Observations per bucket, not cumulative; the last one is above every bound. */
  buckets: number[];
  sum: number;
  count: number;
}

export class HistogramTally extends Tally<Observations> {
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    /** Upper bounds, ascending. */
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    super(name, help, 'histogram', labelNames, registry);
  }

  observe(value: number, ...values: string[]): void {
    const entry = this.entry(values);
    let bucket = 0;
    while (bucket < this.bounds.length && value > this.bounds[bucket]) bucket++;
    entry.buckets[bucket]++;
    entry.sum += value;
    entry.count++;
  }

  protected create(labels: Labels): Observations {
    return { labels, buckets: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
  }

  /** As the Prometheus text format has them: cumulative buckets up to +Inf, then the sum and the count. */
  protected samples({ labels, buckets, sum, count }: Observations): Sample[] {
    let below = 0;
    const samples: Sample[] = this.bounds.map((le, i) => ({ labels: { ...labels, le }, value: (below += buckets[i]), metricName: `${this.name}_bucket` }));
    samples.push({ labels: { ...labels, le: '+Inf' }, value: count, metricName: `${this.name}_bucket` });
    samples.push({ labels, value: sum, metricName: `${this.name}_sum` }, { labels, value: count, metricName: `${this.name}_count` });
    return samples;
  }
}
