// Profiles the proxy's hot path: a stdio mcproxy in front of server-everything, run under
// `node --cpu-prof`, takes BENCH_CALLS tools/call of `echo` at 1 and at 16 in flight; the
// .cpuprofile lands in bench-results/profile/ and the heaviest functions (self time) print here.
// Run: npm run build --silent && node dist/bench/profile.js
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { CLI, ROOT } from '../test/helpers/paths.js';
import { writeConfig } from '../test/helpers/proxy.js';
import { everything } from '../test/helpers/upstreams.js';
import { CONCURRENCY, measure } from './measure.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

async function main(): Promise<void> {
  const dir = path.join(ROOT, 'bench-results', 'profile');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const configFile = writeConfig({ logging: { level: 'warn' }, upstreams: { ev: everything } });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--cpu-prof', `--cpu-prof-dir=${dir}`, CLI, '--config', configFile],
    cwd: ROOT,
    stderr: 'inherit',
    env: { ...process.env, MCPROXY_LOG_LEVEL: 'warn' } as Record<string, string>,
  });
  const client = new Client({ name: 'bench-profile', version: '1' });
  await client.connect(transport);
  for (const concurrency of [1, CONCURRENCY]) {
    const f = await measure(client, 'ev__echo', concurrency);
    console.log(`concurrency ${concurrency}: ${f.perSecond.toFixed(0)} calls/s, p50 ${f.p50.toFixed(3)} ms`);
  }
  await client.close();
  const started = Date.now();
  while (readdirSync(dir).length === 0 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 500));
  for (const file of readdirSync(dir)) summarize(path.join(dir, file));
}

/** Prints the top functions by self time, with their file and line. */
function summarize(file: string): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, '')}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  console.log(`\n${path.basename(file)}: ${(total / 1000).toFixed(0)} ms sampled; top self time:`);
  for (const [key, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${((100 * us) / total).toFixed(1).padStart(5)} %  ${key}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
