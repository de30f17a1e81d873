// Proxy overhead: the same tools/call to server-everything's `echo`, made straight to the
// server (over stdio and over Streamable HTTP) and through mcproxy (stdio and Streamable HTTP
// downstream, a stdio upstream), sequentially and concurrently.
// Prints latency percentiles and throughput; asserts nothing. Run: npm run bench
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { freePort } from '../test/helpers/net.js';
import { serverPackage } from '../test/helpers/paths.js';
import { connectHttp, connectStdio, startHttpProxy, writeConfig } from '../test/helpers/proxy.js';
import { connectDirect, everything } from '../test/helpers/upstreams.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

interface Figures {
  p50: number;
  p95: number;
  p99: number;
  perSecond: number;
}

async function measure(client: Client, tool: string, concurrency: number): Promise<Figures> {
  for (let i = 0; i < 50; i++) await client.callTool({ name: tool, arguments: { message: 'warm' } });
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < CALLS) {
        const t0 = performance.now();
        await client.callTool({ name: tool, arguments: { message: 'bench' } });
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), perSecond: CALLS / seconds };
}

function row(label: string, f: Figures): string {
  const ms = (n: number) => n.toFixed(3).padStart(8);
  return `${label.padEnd(34)} ${ms(f.p50)} ${ms(f.p95)} ${ms(f.p99)} ${f.perSecond.toFixed(0).padStart(9)}`;
}

/** server-everything over Streamable HTTP: the baseline for the proxy's HTTP figures. */
async function directHttpClient(): Promise<{ client: Client; stop(): void }> {
  const port = await freePort();
  const child = spawn(process.execPath, [serverPackage('everything'), 'streamableHttp'], { env: { ...process.env, PORT: String(port) }, stdio: 'ignore' });
  const client = new Client({ name: 'bench', version: '1' });
  for (let attempt = 0; ; attempt++) {
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
      return { client, stop: () => child.kill() };
    } catch (error) {
      if (attempt > 50) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function main(): Promise<void> {
  const direct = await connectDirect(everything);
  const configFile = writeConfig({ logging: { level: 'warn' }, upstreams: { ev: everything } });
  const viaStdio = (await connectStdio(configFile)).client;
  const http = await startHttpProxy(configFile);
  const viaHttp = (await connectHttp(http.url)).client;
  const directHttp = await directHttpClient();

  console.log(`${CALLS} tools/call of echo per row; latency in ms`);
  console.log(`${'path'.padEnd(34)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'p99'.padStart(8)} ${'calls/s'.padStart(9)}`);
  for (const concurrency of [1, CONCURRENCY]) {
    console.log(row(`direct (stdio), concurrency ${concurrency}`, await measure(direct, 'echo', concurrency)));
    console.log(row(`mcproxy stdio, concurrency ${concurrency}`, await measure(viaStdio, 'ev__echo', concurrency)));
    console.log(row(`direct (http), concurrency ${concurrency}`, await measure(directHttp.client, 'echo', concurrency)));
    console.log(row(`mcproxy http, concurrency ${concurrency}`, await measure(viaHttp, 'ev__echo', concurrency)));
  }
  await Promise.all([direct.close(), viaStdio.close(), viaHttp.close(), directHttp.client.close()]);
  directHttp.stop();
  await http.stop();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
