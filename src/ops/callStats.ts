// Per-upstream call statistics for `mcproxy status` and the /status page: calls, errors, and
// the latest latencies (a bounded window) for p50/p95 and the latency chart.
import type { UpstreamCallFilter } from '../telemetry/filters.js';
import { outcomeOfResult } from '../telemetry/filters.js';

/** Latencies kept per upstream: enough for stable percentiles and a chart, bounded in memory. */
export const WINDOW = 200;

export interface CallSample {
  /** When it ended, ms since the epoch. */
  at: number;
  ms: number;
  ok: boolean;
}

export interface UpstreamCallStats {
  calls: number;
  errors: number;
  p50Ms?: number;
  p95Ms?: number;
  /** Oldest first. */
  recent: CallSample[];
}

interface Tally {
  calls: number;
  errors: number;
  recent: CallSample[];
}

export class CallStats {
  private readonly tallies = new Map<string, Tally>();

  record(upstream: string, ms: number, ok: boolean): void {
    let tally = this.tallies.get(upstream);
    if (!tally) this.tallies.set(upstream, (tally = { calls: 0, errors: 0, recent: [] }));
    tally.calls++;
    if (!ok) tally.errors++;
    tally.recent.push({ at: Date.now(), ms, ok });
    if (tally.recent.length > WINDOW) tally.recent.shift();
  }

  of(upstream: string): UpstreamCallStats {
    const tally = this.tallies.get(upstream);
    if (!tally) return { calls: 0, errors: 0, recent: [] };
    const sorted = tally.recent.map((sample) => sample.ms).sort((a, b) => a - b);
    return { calls: tally.calls, errors: tally.errors, p50Ms: percentile(sorted, 0.5), p95Ms: percentile(sorted, 0.95), recent: [...tally.recent] };
  }

  /** The filter that feeds it: every upstream request, timed from the session's side. */
  filter(): UpstreamCallFilter {
    return async (call, next) => {
      const started = performance.now();
      try {
        const result = await next(call);
        this.record(call.upstream, performance.now() - started, outcomeOfResult(result) === 'ok');
        return result;
      } catch (error) {
        this.record(call.upstream, performance.now() - started, false);
        throw error;
      }
    };
  }
}

/** Nearest-rank percentile of sorted values; undefined for none. */
export function percentile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
