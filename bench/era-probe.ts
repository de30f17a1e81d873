// What `protocol: auto` costs an upstream's start, beside `legacy`: from connect to the first
// tools/list answer, the way mcproxy's upstream connection connects (the SDK v2 client; over
// stdio the auto probe runs on a short-lived sibling process). Three ways per server:
//   legacy       initialize, no probe
//   auto, probe  server/discover first (no verdict yet: a first start)
//   auto, kept   the verdict remembered (in memory, or in <data folder>/eras.json from an earlier run)
// Modes are interleaved per round so that the machine's load hits each alike. Prints medians.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Transport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { freePort } from '../test/helpers/net.js';
import { FIXTURES, serverPackage } from '../test/helpers/paths.js';
import { waitUntil } from '../test/helpers/wait.js';

const ROUNDS = Number(process.env.BENCH_STARTS ?? 10);

type Mode = 'legacy' | 'auto, probe' | 'auto, kept';
const MODES: Mode[] = ['legacy', 'auto, probe', 'auto, kept'];
type Prior = NonNullable<Parameters<Client['connect']>[1]>['prior'];

interface Target {
  label: string;
  transport(): Transport;
}

const stdio = (label: string, args: string[]): Target => ({
  label,
  transport: () => new StdioClientTransport({ command: process.execPath, args, stderr: 'ignore', env: { ...process.env, MEMORY_FILE_PATH: '/dev/null' } as Record<string, string> }),
});

/** Connect, list tools, close: how long until the upstream was usable. */
async function startOnce(target: Target, mode: Mode, prior: Prior | undefined): Promise<{ ms: number; verdict: Prior }> {
  const client = new Client({ name: 'bench', version: '1.0.0' }, { capabilities: {}, versionNegotiation: mode === 'legacy' ? undefined : { mode: 'auto' } });
  const t0 = performance.now();
  await client.connect(target.transport(), { prior: mode === 'auto, kept' ? prior : undefined });
  await client.listTools();
  const ms = performance.now() - t0;
  const discover = client.getDiscoverResult();
  await client.close();
  return { ms, verdict: discover ? { kind: 'modern', discover } : { kind: 'legacy' } };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function measure(target: Target): Promise<void> {
  const times = new Map<Mode, number[]>(MODES.map((mode) => [mode, []]));
  let verdict: Prior | undefined;
  // Warm-up: the file cache, and the verdict the "kept" rows start from.
  verdict = (await startOnce(target, 'auto, probe', undefined)).verdict;
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of MODES) times.get(mode)!.push((await startOnce(target, mode, verdict)).ms);
  }
  const legacy = median(times.get('legacy')!);
  const cells = MODES.map((mode) => {
    const ms = median(times.get(mode)!);
    return `${ms.toFixed(0).padStart(6)} ms${mode === 'legacy' ? '         ' : ` (${ms - legacy >= 0 ? '+' : ''}${(ms - legacy).toFixed(0).padStart(4)})`}`;
  });
  console.log(`${target.label.padEnd(40)} ${cells.join('  ')}   verdict: ${verdict?.kind}`);
}

async function main(): Promise<void> {
  console.log(`${ROUNDS} starts each, median ms from connect to the first tools/list answer (difference to legacy)`);
  console.log(`${'upstream'.padEnd(40)} ${MODES.map((m) => m.padEnd(19)).join('  ')}`);
  await measure(stdio('server-everything, stdio', [serverPackage('everything'), 'stdio']));
  await measure(stdio('server-memory, stdio', [serverPackage('memory')]));
  await measure(stdio('modern fixture (both eras), stdio', [`${FIXTURES}/modern-server.js`, '--stdio']));

  const port = await freePort();
  const child = spawn(process.execPath, [serverPackage('everything'), 'streamableHttp'], { env: { ...process.env, PORT: String(port) }, stdio: 'ignore' });
  try {
    const url = new URL(`http://127.0.0.1:${port}/mcp`);
    await waitUntil(() => fetch(url, { method: 'GET' }).then(() => true, () => false), 'server-everything over HTTP', 20_000);
    await measure({ label: 'server-everything, Streamable HTTP', transport: () => new StreamableHTTPClientTransport(url) });
  } finally {
    child.kill();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
