// Shared by the benchmarks: times `tools/call` of an echo tool and prints one row per path.
import type { Client } from '@modelcontextprotocol/client';
import { performance } from 'node:perf_hooks';

export const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
export const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

export interface Figures {
  p50: number;
  p95: number;
  p99: number;
  perSecond: number;
}

export async function measure(client: Client, tool: string, concurrency: number, calls = CALLS): Promise<Figures> {
  for (let i = 0; i < 50; i++) await client.callTool({ name: tool, arguments: { message: 'warm' } });
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < calls) {
        const t0 = performance.now();
        await client.callTool({ name: tool, arguments: { message: 'bench' } });
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), perSecond: calls / seconds };
}

export function row(label: string, f: Figures): string {
  const ms = (n: number) => n.toFixed(3).padStart(8);
  return `${label.padEnd(34)} ${ms(f.p50)} ${ms(f.p95)} ${ms(f.p99)} ${f.perSecond.toFixed(0).padStart(9)}`;
}

export const HEADER = `${'path'.padEnd(34)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'p99'.padStart(8)} ${'calls/s'.padStart(9)}`;
