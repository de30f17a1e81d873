// What a new client waits for: from connect (initialize) to its first tools/list answer, with
// the default config's three stdio upstreams, each session spawning its own. Also the cost of
// a shared upstream, which is spawned once. Prints figures; asserts nothing.
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { ROOT } from '../test/helpers/paths.js';
import { connectHttp, startHttpProxy, writeConfig } from '../test/helpers/proxy.js';
import { everything } from '../test/helpers/upstreams.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10);

async function firstListMs(url: string): Promise<number> {
  const t0 = performance.now();
  const { client, transport } = await connectHttp(url);
  await client.listTools();
  const ms = performance.now() - t0;
  await transport.terminateSession();
  await client.close();
  return ms;
}

async function measure(label: string, configFile: string): Promise<void> {
  const proxy = await startHttpProxy(configFile);
  try {
    const times: number[] = [];
    for (let i = 0; i < SESSIONS; i++) times.push(await firstListMs(proxy.url));
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    console.log(`${label.padEnd(44)} median ${median.toFixed(0).padStart(5)} ms   max ${times.at(-1)!.toFixed(0).padStart(5)} ms`);
  } finally {
    await proxy.stop();
  }
}

async function main(): Promise<void> {
  console.log(`${SESSIONS} sessions each; connect + initialize + first tools/list over HTTP`);
  await measure('default config (3 stdio upstreams per session)', path.join(ROOT, 'config/mcproxy.yaml'));
  await measure('one stdio upstream per session', writeConfig({ upstreams: { ev: everything } }));
  await measure('one shared stdio upstream', writeConfig({ upstreams: { ev: { ...everything, shared: true } } }));
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
