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
import { CALLS, directHttp, httpClients, measureSessions, WARM_CALLS, type Figures } from './measure.js';

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

/** What the kernel counts of a process: CPU seconds, read and write system calls, context switches (voluntary: it waited). */
interface Counters {
  user: number;
  system: number;
  reads: number;
  writes: number;
  switches: number;
  preempted: number;
}

const ZERO: Counters = { user: 0, system: 0, reads: 0, writes: 0, switches: 0, preempted: 0 };
const COUNTERS = Object.keys(ZERO) as Array<keyof Counters>;

/** A process's counters beyond CPU (Linux /proc: io, status); zeros when it is gone. */
function kernelCounts(pid: number): Pick<Counters, 'reads' | 'writes' | 'switches' | 'preempted'> {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (text: string, name: string) => Number(new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(text)?.[1] ?? 0);
    return { reads: field(io, 'syscr'), writes: field(io, 'syscw'), switches: field(status, 'voluntary_ctxt_switches'), preempted: field(status, 'nonvoluntary_ctxt_switches') };
  } catch {
    return { reads: 0, writes: 0, switches: 0, preempted: 0 };
  }
}

interface Cpu {
  /** The process itself. */
  own: Counters;
  /** The same, summed over its descendants alive at the time. */
  children: Counters;
  /** Its descendants' process ids: one that was not there before the window was spawned in it. */
  pids: Set<number>;
}

/** What the kernel counted so far of `pid` itself and, summed, of its descendants (Linux /proc), and who they are. */
function cpuOf(pid: number): Cpu {
  const stats = new Map<number, { ppid: number; user: number; system: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      stats.set(Number(entry), { ppid: Number(fields[1]), user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 });
    } catch {
      // gone meanwhile
    }
  }
  const children = { ...ZERO };
  const pids = new Set<number>();
  const walk = (parent: number) => {
    for (const [child, stat] of stats) {
      if (stat.ppid !== parent) continue;
      const counts = { user: stat.user, system: stat.system, ...kernelCounts(child) };
      for (const key of COUNTERS) children[key] += counts[key];
      pids.add(child);
      walk(child);
    }
  };
  walk(pid);
  const own = stats.get(pid) ?? { user: 0, system: 0 };
  return { own: { user: own.user, system: own.system, ...kernelCounts(pid) }, children, pids };
}

/** What a path used in its measured windows: CPU seconds and calls made (warm-up calls included: they run in the window). */
interface Usage {
  own: Counters;
  children: Counters;
  calls: number;
  /** Processes spawned under the path's process during its windows (a spare's replacement, say). */
  spawned: number;
  /** Children's CPU ms per call, window by window (does a child per session get cheaper as it warms up?). */
  childrenPerRound: number[];
}

const perCall = (seconds: number, calls: number) => ((1000 * seconds) / calls).toFixed(3);

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
  // BENCH_CHILD_NODE_FLAGS: one more isolated path of this build whose children's command line has these Node flags.
  const childFlags = process.env.BENCH_CHILD_NODE_FLAGS?.split(' ').filter(Boolean);
  const variants = [
    ...builds.flatMap((build) => [false, true].map((shared) => ({ build, shared, flags: [] as string[] }))),
    ...(childFlags ? [{ build: builds[0], shared: false, flags: childFlags }] : []),
  ];
  for (const { build, shared, flags } of variants) {
    if (only && only !== (shared ? 'shared' : 'isolated')) continue;
    const config = writeConfig({ logging: { level: 'warn' }, upstreams: { ev: { ...everything, args: [...flags, ...everything.args], ...(shared ? { shared: true } : {}) } } });
    const proxy = await startProxy(build.cli, config, build.profile);
    const name = `${build.name} ${shared ? 'shared: true' : 'isolated'}${flags.length > 0 ? `, ${flags.join(' ')}` : ''}`;
    paths.push({ name, clients: await httpClients(proxy.url, SESSIONS), tool: 'ev__echo', pid: proxy.child.pid!, stop: () => proxy.child.kill('SIGTERM') });
  }
  const samples = new Map<string, Figures[]>();
  const usage = new Map<string, Usage>();
  for (const n of [1, SESSIONS]) {
    samples.clear();
    usage.clear();
    for (let round = 0; round < ROUNDS; round++) {
      for (const p of paths) {
        if (process.env.BENCH_VERBOSE) console.log(`  ${p.name} ${n} session(s), round ${round + 1}`);
        const before = cpuOf(p.pid);
        const f = await measureSessions(p.clients.slice(0, n), p.tool);
        const after = cpuOf(p.pid);
        const calls = (n === 1 ? CALLS : Math.ceil(CALLS / n) * n) + WARM_CALLS * n;
        const u = usage.get(p.name) ?? { own: { ...ZERO }, children: { ...ZERO }, calls: 0, spawned: 0, childrenPerRound: [] };
        for (const side of ['own', 'children'] as const) for (const key of COUNTERS) u[side][key] += after[side][key] - before[side][key];
        u.calls += calls;
        u.spawned += [...after.pids].filter((pid) => !before.pids.has(pid)).length;
        u.childrenPerRound.push((1000 * (after.children.user + after.children.system - before.children.user - before.children.system)) / calls);
        usage.set(p.name, u);
        samples.set(p.name, [...(samples.get(p.name) ?? []), f]);
      }
    }
    console.log(`\n${n} session(s), ${CALLS} calls, ${ROUNDS} rounds (medians); CPU ms per call made in the windows (${WARM_CALLS} warm-up calls per session included), user+system`);
    const base = median(samples.get('direct Streamable HTTP')!.map((f) => f.perSecond));
    for (const p of paths) {
      const list = samples.get(p.name)!;
      const perSecond = median(list.map((f) => f.perSecond));
      const u = usage.get(p.name)!;
      const children = u.children.user + u.children.system > 0 ? `  children ${perCall(u.children.user, u.calls)}+${perCall(u.children.system, u.calls)} by round ${u.childrenPerRound.map((ms) => ms.toFixed(2)).join(' ')}` : '';
      console.log(
        `  ${p.name.padEnd(40)} p50 ${median(list.map((f) => f.p50)).toFixed(3).padStart(7)}  calls/s ${perSecond.toFixed(0).padStart(6)}  ${((100 * perSecond) / base).toFixed(0).padStart(4)} %  rounds: ${list.map((f) => f.perSecond.toFixed(0)).join(' ')}  CPU ms/call: own ${perCall(u.own.user, u.calls)}+${perCall(u.own.system, u.calls)}${children}${u.spawned > 0 ? `  ${u.spawned} process(es) spawned in the windows` : ''}`,
      );
      // Per call: the process's read and write system calls, its waits (voluntary switches) and preemptions; the children's together.
      const kernel = (c: Counters) => `reads ${(c.reads / u.calls).toFixed(2)} writes ${(c.writes / u.calls).toFixed(2)} waits ${(c.switches / u.calls).toFixed(2)} preempted ${(c.preempted / u.calls).toFixed(2)}`;
      console.log(`  ${''.padEnd(40)} per call: own ${kernel(u.own)}${children ? `; children ${kernel(u.children)}` : ''}`);
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
