// What vCon recording costs: tools/call of server-everything's `echo` straight to the server,
// through mcproxy without recording, and through mcproxy recording every message into a vCon
// journal (stdio both ways), in one run. Off and on alternate over ROUNDS rounds and the best
// round of each counts, so that load from other processes does not decide the ratio. It also
// prints the CPU time each proxy process spent per call (from /proc), which load does not skew.
// Prints figures; asserts nothing. Run: npm run build && node dist/bench/vcon-overhead.js
import type { Client } from '@modelcontextprotocol/client';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectStdio, writeConfig } from '../test/helpers/proxy.js';
import { connectDirect, everything } from '../test/helpers/upstreams.js';
import { CALLS, CONCURRENCY, HEADER, measure, row, type Figures } from './measure.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** CPU time (user + system) a process has used so far, in ms; Linux only. */
function cpuMs(pid: number | null): number {
  if (pid === null) return NaN;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

async function main(): Promise<void> {
  const vconDir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-bench-vcons-'));
  const upstreams = { ev: everything };
  const offProxy = await connectStdio(writeConfig({ logging: { level: 'warn' }, upstreams }));
  // No rollover during the rows: they measure the recording path; building a finished vCon
  // (in a worker thread) is a separate, per-vCon cost.
  const vcon = { dir: vconDir, session: { maxMessages: 1_000_000 } };
  const onProxy = await connectStdio(writeConfig({ logging: { level: 'warn' }, upstreams, vcon }));
  const [off, on] = [offProxy.client, onProxy.client];
  const cpu = { off: 0, on: 0 };
  /** Measures through one proxy, adding the CPU time its process spent meanwhile. */
  const timed = async (which: 'off' | 'on', run: () => Promise<Figures[]>) => {
    const pid = (which === 'off' ? offProxy : onProxy).pid();
    const before = cpuMs(pid);
    const figures = await run();
    cpu[which] += cpuMs(pid) - before;
    return figures;
  };
  const direct = await connectDirect(everything);

  console.log(`${CALLS} tools/call of echo per row, best of ${ROUNDS} rounds; latency in ms; vCons in ${vconDir}`);
  console.log(HEADER);
  for (const concurrency of [1, CONCURRENCY]) {
    const best = async (client: Client, tool: string): Promise<Figures[]> => [await measure(client, tool, concurrency)];
    const runs = { direct: [] as Figures[], off: [] as Figures[], on: [] as Figures[] };
    for (let round = 0; round < ROUNDS; round++) {
      runs.direct.push(...(await best(direct, 'echo')));
      // Which goes first alternates, so neither always runs in the other's wake.
      if (round % 2 === 0) runs.off.push(...(await timed('off', () => best(off, 'ev__echo'))));
      runs.on.push(...(await timed('on', () => best(on, 'ev__echo'))));
      if (round % 2 === 1) runs.off.push(...(await timed('off', () => best(off, 'ev__echo'))));
    }
    const top = (figures: Figures[]) => figures.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    const [d, f, n] = [top(runs.direct), top(runs.off), top(runs.on)];
    console.log(row(`direct (stdio), concurrency ${concurrency}`, d));
    console.log(row(`mcproxy, recording off, conc. ${concurrency}`, f));
    console.log(row(`mcproxy, recording on, conc. ${concurrency}`, n));
    const cost = (1 - n.perSecond / f.perSecond) * 100;
    console.log(`  recording costs ${cost.toFixed(1)} % of throughput at concurrency ${concurrency} (on/off = ${(n.perSecond / f.perSecond).toFixed(3)})`);
    const calls = ROUNDS * (CALLS + 50);
    const perCall = (ms: number) => ((ms / calls) * 1000).toFixed(1);
    console.log(`  proxy CPU per call: ${perCall(cpu.off)} µs off, ${perCall(cpu.on)} µs on (+${(((cpu.on - cpu.off) / cpu.off) * 100).toFixed(1)} %)`);
    cpu.off = cpu.on = 0;
  }
  await Promise.all([off.close(), on.close(), direct.close()]);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
