// Proxy overhead: the same tools/call to server-everything's `echo`, made straight to the
// server (over stdio and over Streamable HTTP) and through mcproxy (stdio and Streamable HTTP
// downstream, a stdio upstream), sequentially and concurrently; through mcproxy also from a
// 2026-07-28 client (the modern rows) beside the 2025-11-25 one.
// Prints latency percentiles and throughput; asserts nothing. Run: npm run bench
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { spawn } from 'node:child_process';
import { freePort } from '../test/helpers/net.js';
import { serverPackage } from '../test/helpers/paths.js';
import { connectHttp, connectStdio, startHttpProxy, writeConfig } from '../test/helpers/proxy.js';
import { connectDirect, everything } from '../test/helpers/upstreams.js';
import { CALLS, CONCURRENCY, HEADER, measure, row } from './measure.js';

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
  const modernStdio = (await connectStdio(configFile, { era: 'modern' })).client;
  const modernHttp = (await connectHttp(http.url, { era: 'modern' })).client;
  const directHttp = await directHttpClient();

  console.log(`${CALLS} tools/call of echo per row; latency in ms`);
  console.log(HEADER);
  for (const concurrency of [1, CONCURRENCY]) {
    console.log(row(`direct (stdio), concurrency ${concurrency}`, await measure(direct, 'echo', concurrency)));
    console.log(row(`mcproxy stdio, concurrency ${concurrency}`, await measure(viaStdio, 'ev__echo', concurrency)));
    console.log(row(`direct (http), concurrency ${concurrency}`, await measure(directHttp.client, 'echo', concurrency)));
    console.log(row(`mcproxy http, concurrency ${concurrency}`, await measure(viaHttp, 'ev__echo', concurrency)));
    console.log(row(`mcproxy stdio modern, conc. ${concurrency}`, await measure(modernStdio, 'ev__echo', concurrency)));
    console.log(row(`mcproxy http modern, conc. ${concurrency}`, await measure(modernHttp, 'ev__echo', concurrency)));
  }
  await Promise.all([direct.close(), viaStdio.close(), viaHttp.close(), modernStdio.close(), modernHttp.close(), directHttp.client.close()]);
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
