// Shared by the benchmarks: times `tools/call` of an echo tool and prints one row per path.
import type { Client } from '@modelcontextprotocol/client';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { freePort } from '../test/helpers/net.js';
import { serverPackage } from '../test/helpers/paths.js';
import { connectHttp } from '../test/helpers/proxy.js';

export const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
export const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

/** Calls each measurement makes first, untimed (a process's CPU over the window counts them). */
export const WARM_CALLS = 50;

export interface Figures {
  p50: number;
  p95: number;
  p99: number;
  perSecond: number;
}

export async function measure(client: Client, tool: string, concurrency: number, calls = CALLS): Promise<Figures> {
  for (let i = 0; i < WARM_CALLS; i++) await client.callTool({ name: tool, arguments: { message: 'warm' } });
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

/** Each client makes calls one after the other; together CALLS of them. The clients' sessions are the "16 sessions" figure. */
export async function measureSessions(clients: Client[], tool: string): Promise<Figures> {
  if (clients.length === 1) return measure(clients[0], tool, 1);
  const results = await Promise.all(clients.map((client) => measure(client, tool, 1, Math.ceil(CALLS / clients.length))));
  // Throughput adds up across the sessions; latencies are the median session's.
  const middle = [...results].sort((a, b) => a.p50 - b.p50)[Math.floor(results.length / 2)];
  return { ...middle, perSecond: results.reduce((sum, r) => sum + r.perSecond, 0) };
}

/** server-everything over Streamable HTTP: the baseline for HTTP figures. */
export async function directHttp(): Promise<{ url: string; stop(): void; pid: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [serverPackage('everything'), 'streamableHttp'], { env: { ...process.env, PORT: String(port) }, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/mcp`;
  for (let attempt = 0; ; attempt++) {
    try {
      const { client } = await connectHttp(url);
      await client.close();
      return { url, stop: () => child.kill(), pid: child.pid! };
    } catch (error) {
      if (attempt > 100) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function httpClients(url: string, count: number): Promise<Client[]> {
  const clients: Client[] = [];
  for (let i = 0; i < count; i++) clients.push((await connectHttp(url)).client);
  return clients;
}
