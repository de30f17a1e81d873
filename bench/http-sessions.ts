// The HTTP listener under 16 sessions, this build beside another (BENCH_BEFORE_CLI) and direct
// Streamable HTTP, in interleaved rounds: isolated (a child per session) and `shared: true`.
// BENCH_PROFILE=1 runs this build's proxies under `node --cpu-prof` (bench-results/http-profile/)
// and prints each process's heaviest functions (the proxy's and its children's).
// Run: npm run build --silent && node dist/bench/http-sessions.js
import type { Client } from '@modelcontextprotocol/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { CLI, ROOT } from '../test/helpers/paths.js';
import { writeConfig } from '../test/helpers/proxy.js';
import { everything } from '../test/helpers/upstreams.js';
import { CALLS, directHttp, httpClients, measureSessions, type Figures } from './measure.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SESSIONS = 16;
const PROFILE_DIR = path.join(ROOT, 'bench-results', 'http-profile');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function startProxy(cli: string, configFile: string, profile: boolean): Promise<{ url: string; child: ChildProcess }> {
  const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, cli, '--config', configFile, '--transport', 'http', '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MCPROXY_LOG_LEVEL: 'info' },
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /listening on (http:\/\/[^\s"]+)/.exec(stderr);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`proxy exited with ${code}:\n${stderr}`)));
  });
  return { url, child };
}

/** CPU seconds used so far by `pid` itself, and by its descendants (Linux /proc). */
function cpuOf(pid: number): { own: number; children: number } {
  const stats = new Map<number, { ppid: number; cpu: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      stats.set(Number(entry), { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / 100 });
    } catch {
      // gone meanwhile
    }
  }
  let children = 0;
  const walk = (parent: number) => {
    for (const [child, stat] of stats) if (stat.ppid === parent) { children += stat.cpu; walk(child); }
  };
  walk(pid);
  return { own: stats.get(pid)?.cpu ?? 0, children };
}

async function main(): Promise<void> {
  const profile = process.env.BENCH_PROFILE === '1';
  if (profile) {
    rmSync(PROFILE_DIR, { recursive: true, force: true });
    mkdirSync(PROFILE_DIR, { recursive: true });
  }
  const builds = [{ name: 'mcproxy', cli: CLI, profile }, ...(process.env.BENCH_BEFORE_CLI ? [{ name: 'before', cli: process.env.BENCH_BEFORE_CLI, profile: false }] : [])];
  const only = process.env.BENCH_HTTP_ONLY; // 'shared' or 'isolated'
  const paths: Array<{ name: string; clients: Client[]; tool: string; pid: number; stop: () => void }> = [];
  const direct = await directHttp();
  if (process.env.BENCH_VERBOSE) console.log('direct started');
  paths.push({ name: 'direct Streamable HTTP', clients: await httpClients(direct.url, SESSIONS), tool: 'echo', pid: direct.pid, stop: () => direct.stop() });
  for (const build of builds) {
    for (const shared of [false, true]) {
      if (only && only !== (shared ? 'shared' : 'isolated')) continue;
      const config = writeConfig({ logging: { level: 'warn' }, upstreams: { ev: { ...everything, ...(shared ? { shared: true } : {}) } } });
      const proxy = await startProxy(build.cli, config, build.profile);
      paths.push({ name: `${build.name} ${shared ? 'shared: true' : 'isolated'}`, clients: await httpClients(proxy.url, SESSIONS), tool: 'ev__echo', pid: proxy.child.pid!, stop: () => proxy.child.kill('SIGTERM') });
    }
  }
  const samples = new Map<string, Figures[]>();
  const cpu = new Map<string, { own: number; children: number }>();
  for (const n of [1, SESSIONS]) {
    samples.clear();
    cpu.clear();
    for (let round = 0; round < ROUNDS; round++) {
      for (const p of paths) {
        if (process.env.BENCH_VERBOSE) console.log(`  ${p.name} ${n} session(s), round ${round + 1}`);
        const before = cpuOf(p.pid);
        const f = await measureSessions(p.clients.slice(0, n), p.tool);
        const after = cpuOf(p.pid);
        const sum = cpu.get(p.name) ?? { own: 0, children: 0 };
        cpu.set(p.name, { own: sum.own + after.own - before.own, children: sum.children + after.children - before.children });
        samples.set(p.name, [...(samples.get(p.name) ?? []), f]);
      }
    }
    console.log(`\n${n} session(s), ${CALLS} calls, ${ROUNDS} rounds (medians)`);
    const base = median(samples.get('direct Streamable HTTP')!.map((f) => f.perSecond));
    for (const p of paths) {
      const list = samples.get(p.name)!;
      const perSecond = median(list.map((f) => f.perSecond));
      console.log(`  ${p.name.padEnd(28)} p50 ${median(list.map((f) => f.p50)).toFixed(3).padStart(7)}  calls/s ${perSecond.toFixed(0).padStart(6)}  ${((100 * perSecond) / base).toFixed(0).padStart(4)} %  rounds: ${list.map((f) => f.perSecond.toFixed(0)).join(' ')}  CPU ms/call: own ${((1000 * cpu.get(p.name)!.own) / (ROUNDS * CALLS)).toFixed(3)} children ${((1000 * cpu.get(p.name)!.children) / (ROUNDS * CALLS)).toFixed(3)}`);
    }
  }
  for (const p of paths) {
    await Promise.all(p.clients.map((c) => c.close().catch(() => {})));
    p.stop();
  }
  if (!profile) return;
  await new Promise((r) => setTimeout(r, 3000));
  for (const file of readdirSync(PROFILE_DIR)) summarize(path.join(PROFILE_DIR, file));
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

function summarize(file: string): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFunction = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') idle += us;
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, '')}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  console.log(`\n${path.basename(file)}: ${(total / 1000).toFixed(0)} ms sampled, ${((total - idle) / 1000).toFixed(0)} ms busy; top self time:`);
  for (const [key, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${((100 * us) / total).toFixed(1).padStart(5)} %  ${key}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
