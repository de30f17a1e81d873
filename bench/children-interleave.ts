// Where the CPU of "a child per session" goes, with no proxy at all: 16 server-everything stdio
// children driven straight from here (bench/rawClient.ts, no SDK), the same calls to each child
// in three orders, beside one child that takes every call, in interleaved rounds:
// - one child: all the calls, one at a time (what `shared: true` asks of its child);
// - 16 children, in blocks: each child's calls one after the other, then the next child's;
// - 16 children, in turn: one call at a time, each to the next child (as 16 sessions' calls come);
// - 16 children, at once: one call in flight per child (the 16-session figure).
// Every child gets the same number of calls in the three 16-child orders, so V8's warm-up is the
// same in each: what differs between "in blocks" and "in turn" is only which process ran between
// two calls of a child. Prints the children's CPU (user+system, /proc) per call: the median, and round by round.
// Run: npm run build --silent && node dist/bench/children-interleave.js
import { readFileSync } from 'node:fs';
import { everything } from '../test/helpers/upstreams.js';
import { rawStdio, type RawClient } from './rawClient.js';

const CHILDREN = 16;
const CALLS = Number(process.env.BENCH_CALLS ?? 1600);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** CPU ms used so far by these processes (Linux /proc, clock ticks of 10 ms). */
function cpuMs(clients: RawClient[]): number {
  let ticks = 0;
  for (const { pid } of clients) {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * 10;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const echo = (client: RawClient) => client.request('tools/call', { name: 'echo', arguments: { message: 'bench' } });

async function main(): Promise<void> {
  const single = await rawStdio(everything);
  const many: RawClient[] = [];
  for (let i = 0; i < CHILDREN; i++) many.push(await rawStdio(everything));
  const share = CALLS / CHILDREN;
  const orders: Array<{ name: string; clients: RawClient[]; run: () => Promise<unknown> }> = [
    { name: 'one child', clients: [single], run: async () => { for (let i = 0; i < CALLS; i++) await echo(single); } },
    { name: '16 children, in blocks', clients: many, run: async () => { for (const child of many) for (let i = 0; i < share; i++) await echo(child); } },
    { name: '16 children, in turn', clients: many, run: async () => { for (let i = 0; i < CALLS; i++) await echo(many[i % CHILDREN]); } },
    { name: '16 children, at once', clients: many, run: () => Promise.all(many.map(async (child) => { for (let i = 0; i < share; i++) await echo(child); })) },
  ];
  const figures = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const { name, clients, run } of orders) {
      const before = cpuMs(clients);
      await run();
      figures.set(name, [...(figures.get(name) ?? []), (cpuMs(clients) - before) / CALLS]);
    }
  }
  console.log(`server-everything children's CPU ms per call (user+system), ${CALLS} calls per figure (${share} per child of 16): median, and by round`);
  for (const [name, perRound] of figures) console.log(`  ${name.padEnd(24)} ${median(perRound).toFixed(3)}   ${perRound.map((ms) => ms.toFixed(3)).join('  ')}`);
  for (const client of [single, ...many]) client.close();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
