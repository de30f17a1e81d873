// What vCon recording costs: tools/call of server-everything's `echo` straight to the server,
// through mcproxy without recording, and through mcproxy recording every message into a vCon
// journal (stdio both ways), in one run. Off and on alternate over ROUNDS rounds and the best
// round of each counts, so that load from other processes does not decide the ratio.
// Prints figures; asserts nothing. Run: npm run build && node dist/bench/vcon-overhead.js
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectStdio, writeConfig } from '../test/helpers/proxy.js';
import { connectDirect, everything } from '../test/helpers/upstreams.js';
import { CALLS, CONCURRENCY, HEADER, measure, row, type Figures } from './measure.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function main(): Promise<void> {
  const vconDir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-bench-vcons-'));
  const upstreams = { ev: everything };
  const off = (await connectStdio(writeConfig({ logging: { level: 'warn' }, upstreams }))).client;
  const on = (await connectStdio(writeConfig({ logging: { level: 'warn' }, upstreams, vcon: { dir: vconDir } }))).client;
  const direct = await connectDirect(everything);

  console.log(`${CALLS} tools/call of echo per row, best of ${ROUNDS} rounds; latency in ms; vCons in ${vconDir}`);
  console.log(HEADER);
  for (const concurrency of [1, CONCURRENCY]) {
    const best = async (client: Client, tool: string): Promise<Figures[]> => [await measure(client, tool, concurrency)];
    const runs = { direct: [] as Figures[], off: [] as Figures[], on: [] as Figures[] };
    for (let round = 0; round < ROUNDS; round++) {
      runs.direct.push(...(await best(direct, 'echo')));
      // Which goes first alternates, so neither always runs in the other's wake.
      if (round % 2 === 0) runs.off.push(...(await best(off, 'ev__echo')));
      runs.on.push(...(await best(on, 'ev__echo')));
      if (round % 2 === 1) runs.off.push(...(await best(off, 'ev__echo')));
    }
    const top = (figures: Figures[]) => figures.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    const [d, f, n] = [top(runs.direct), top(runs.off), top(runs.on)];
    console.log(row(`direct (stdio), concurrency ${concurrency}`, d));
    console.log(row(`mcproxy, recording off, conc. ${concurrency}`, f));
    console.log(row(`mcproxy, recording on, conc. ${concurrency}`, n));
    const cost = (1 - n.perSecond / f.perSecond) * 100;
    console.log(`  recording costs ${cost.toFixed(1)} % of throughput at concurrency ${concurrency} (on/off = ${(n.perSecond / f.perSecond).toFixed(3)})`);
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
