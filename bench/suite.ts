// The performance suite: every figure beside its baseline, measured in one run on the same
// machine. Calls, both protocol eras, startup, a large catalog, 1 MiB payloads, recording and
// memory; the peer punkpeye's mcp-proxy when BENCH_PEERS is not 0, installed from the npm
// registry into bench-results/peers at run time (mcp-hub is not: README says why). Each
// comparison runs in interleaved rounds (A B C, A B C, ...) and reports medians, so that a busy
// moment of the machine hits every path alike.
// Prints a table, writes bench-results/latest.json (and .md) and bench/figures.svg. Asserts nothing.
// Run: npm run bench   (BENCH_ROUNDS, BENCH_CALLS, BENCH_STEADY_CALLS, BENCH_ONLY, BENCH_PEERS=0 to skip the peers)
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CLI, ROOT } from '../test/helpers/paths.js';
import { connectHttp, connectStdio, startHttpProxy, writeConfig } from '../test/helpers/proxy.js';
import { everything, fixture, startHttpFixture, type StdioServer } from '../test/helpers/upstreams.js';
import { CALLS, directHttp, httpClients, measure, measureSessions, type Figures } from './measure.js';
import { startPeers, type Peer } from './peers.js';
import { renderChart } from './chart.js';
import { listAllTools, rawStdio, type RawClient } from './rawClient.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Another build's CLI (…/dist/src/cli/main.js) measured beside this one, for before/after figures. */
const BEFORE_CLI = process.env.BENCH_BEFORE_CLI;
const IN_FLIGHT = 16;
/** Calls after the measured rounds, 16 in flight, before the peak memory under steady load is read. */
const STEADY_CALLS = Number(process.env.BENCH_STEADY_CALLS ?? 40_000);
const RESULTS = path.join(ROOT, 'bench-results');

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

interface Row {
  section: string;
  path: string;
  /** Medians over the rounds. */
  values: Record<string, number>;
  /** The row this one is compared with, and the ratio of `value` it shows. */
  vs?: string;
}
const rows: Row[] = [];

/** Runs each named measurement once per round, in turn, and keeps the medians of each figure. */
async function interleaved(section: string, paths: Array<{ name: string; vs?: string; run: () => Promise<Record<string, number>> }>): Promise<void> {
  const samples = new Map<string, Record<string, number[]>>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const { name, run } of paths) {
      const figures = await run();
      const kept = samples.get(name) ?? {};
      for (const [key, value] of Object.entries(figures)) (kept[key] ??= []).push(value);
      samples.set(name, kept);
    }
  }
  for (const { name, vs } of paths) {
    const values = Object.fromEntries(Object.entries(samples.get(name)!).map(([key, list]) => [key, median(list)]));
    rows.push({ section, path: name, values, vs });
    console.log(`  ${name.padEnd(52)} ${Object.entries(values).map(([k, v]) => `${k} ${format(v)}`).join('  ')}`);
  }
}

const format = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(3));
const callFigures = (f: Figures) => ({ p50: f.p50, p95: f.p95, p99: f.p99, callsPerSecond: f.perSecond });

/** Peak and current resident memory of a process, in MiB (Linux /proc). */
function memoryOf(pid: number): { peak: number; rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { peak: kib('VmHWM') / 1024, rss: kib('VmRSS') / 1024 };
}

/** Spawn → initialize → tools/list of a stdio server, as a client that launches it does; ms. */
async function launchAndList(server: StdioServer, env: Record<string, string> = {}): Promise<number> {
  return (await launched(server, env)).ms;
}

/**
 * launchAndList, with the CPU the launched process itself had spent by the answer (not its
 * children's), ms; with `tool`, also when the answer to a first call of it came (`firstCallMs`,
 * from the spawn): a list may come before the server is up (listingSnapshot.ts), a call cannot.
 */
async function launched(server: StdioServer, env: Record<string, string> = {}, tool?: string): Promise<{ ms: number; cpuMs: number; firstCallMs?: number }> {
  const t0 = performance.now();
  const transport = new StdioClientTransport({ command: server.command, args: server.args, cwd: ROOT, stderr: 'ignore', env: { ...process.env, ...env } as Record<string, string> });
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(transport);
  await client.listTools();
  const ms = performance.now() - t0;
  const cpuMs = cpuOf(transport.pid!);
  if (tool) await client.callTool({ name: tool, arguments: { message: 'hi' } });
  const firstCallMs = performance.now() - t0;
  await client.close();
  return { ms, cpuMs, ...(tool && { firstCallMs }) };
}

/** User and system CPU of a process so far, ms (Linux /proc, in clock ticks of 10 ms). */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Wall time of a command, ms. */
function timed(command: string, args: string[]): number {
  const t0 = performance.now();
  spawnSync(command, args, { stdio: 'ignore' });
  return performance.now() - t0;
}

async function calls(peers: Peer[]): Promise<void> {
  console.log(`\ntools/call of server-everything's echo, ${CALLS} calls per figure; latency ms`);
  const upstreams = { ev: everything };
  const vconDir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-bench-vcons-'));
  const direct = { viaProxy: await connectStdio(writeConfig({ logging: { level: 'warn' }, upstreams })), direct: await directStdio(everything) };
  // A process that only copies bytes between the client and the server: the floor of any proxy.
  const relay = await directStdio({ command: process.execPath, args: [path.join(ROOT, 'bench', 'relay.cjs'), everything.command, ...everything.args] });
  // The same proxy without its V8 heap flags (src/cli/heapFlags.ts): what they save and cost.
  const unflagged = await connectStdio(writeConfig({ logging: { level: 'warn' }, upstreams }), { env: { MCPROXY_V8_FLAGS: '' } });
  const before = BEFORE_CLI ? await directStdio({ command: process.execPath, args: [BEFORE_CLI, '--config', writeConfig({ logging: { level: 'warn' }, upstreams })] }) : undefined;
  const recording = await connectStdio(writeConfig({ logging: { level: 'warn' }, upstreams, vcon: { dir: vconDir, session: { maxMessages: 1_000_000 } } }));
  const isolated = await startHttpProxy(writeConfig({ logging: { level: 'warn' }, upstreams }));
  const shared = await startHttpProxy(writeConfig({ logging: { level: 'warn' }, upstreams: { ev: { ...everything, shared: true } } }));
  const http = await directHttp();
  const sessions = {
    direct: await httpClients(http.url, IN_FLIGHT),
    isolated: await httpClients(isolated.url, IN_FLIGHT),
    shared: await httpClients(shared.url, IN_FLIGHT),
    peers: await Promise.all(peers.map(async (peer) => ({ peer, clients: await peer.clients(IN_FLIGHT) }))),
  };
  for (const inFlight of [1, IN_FLIGHT]) {
    const n = inFlight === 1 ? 1 : IN_FLIGHT;
    await interleaved(`calls, ${inFlight === 1 ? 'sequential' : `${IN_FLIGHT} in flight`}`, [
      { name: 'direct stdio', run: async () => callFigures(await measure(direct.direct, 'echo', inFlight)) },
      { name: 'a byte relay, stdio → stdio (the floor of a proxy process)', vs: 'direct stdio', run: async () => callFigures(await measure(relay, 'echo', inFlight)) },
      { name: 'mcproxy stdio → stdio', vs: 'direct stdio', run: async () => callFigures(await measure(direct.viaProxy.client, 'ev__echo', inFlight)) },
      ...(before ? [{ name: 'mcproxy stdio → stdio, before (BENCH_BEFORE_CLI)', vs: 'direct stdio', run: async () => callFigures(await measure(before, 'ev__echo', inFlight)) }] : []),
      { name: 'mcproxy stdio → stdio, recording', vs: 'mcproxy stdio → stdio', run: async () => callFigures(await measure(recording.client, 'ev__echo', inFlight)) },
      { name: 'mcproxy stdio → stdio, no V8 heap flags', vs: 'mcproxy stdio → stdio', run: async () => callFigures(await measure(unflagged.client, 'ev__echo', inFlight)) },
      { name: `direct Streamable HTTP (${n} session${n > 1 ? 's' : ''})`, run: async () => callFigures(await measureSessions(sessions.direct.slice(0, n), 'echo')) },
      { name: 'mcproxy HTTP → stdio (a child per session)', vs: `direct Streamable HTTP (${n} session${n > 1 ? 's' : ''})`, run: async () => callFigures(await measureSessions(sessions.isolated.slice(0, n), 'ev__echo')) },
      { name: 'mcproxy HTTP → stdio, shared: true', vs: `direct Streamable HTTP (${n} session${n > 1 ? 's' : ''})`, run: async () => callFigures(await measureSessions(sessions.shared.slice(0, n), 'ev__echo')) },
      ...sessions.peers.map(({ peer, clients }) => ({
        name: peer.label,
        vs: `direct Streamable HTTP (${n} session${n > 1 ? 's' : ''})`,
        run: async () => callFigures(await measureSessions(clients.slice(0, n), peer.tool)),
      })),
    ]);
  }

  console.log('\nmemory after the calls (MiB)');
  const stdioPid = direct.viaProxy.pid()!;
  const memory: Row[] = [
    { section: 'memory', path: 'mcproxy stdio → stdio', values: memoryOf(stdioPid) },
    { section: 'memory', path: 'mcproxy stdio → stdio, recording', values: memoryOf(recording.pid()!) },
    { section: 'memory', path: 'mcproxy stdio → stdio, no V8 heap flags', values: memoryOf(unflagged.pid()!) },
    { section: 'memory', path: 'mcproxy HTTP → stdio (a child per session)', values: memoryOf(isolated.child.pid!) },
    { section: 'memory', path: 'mcproxy HTTP → stdio, shared: true', values: memoryOf(shared.child.pid!) },
    ...peers.flatMap((peer) => (peer.pid ? [{ section: 'memory', path: peer.label, values: memoryOf(peer.pid) }] : [])),
  ];
  for (const row of memory) console.log(`  ${row.path.padEnd(52)} peak ${format(row.values.peak)}  now ${format(row.values.rss)}`);
  rows.push(...memory);

  // A long session's peak, not a short run's: the old generation grows until a full collection.
  console.log(`\nmemory under steady load: after ${STEADY_CALLS} more calls, ${IN_FLIGHT} in flight (MiB)`);
  const steady = [
    { path: 'mcproxy stdio → stdio', client: direct.viaProxy.client, pid: stdioPid },
    ...(before ? [{ path: 'mcproxy stdio → stdio, before (BENCH_BEFORE_CLI)', client: before, pid: (before.transport as StdioClientTransport).pid! }] : []),
    { path: 'mcproxy stdio → stdio, recording', client: recording.client, pid: recording.pid()! },
    { path: 'mcproxy stdio → stdio, no V8 heap flags', client: unflagged.client, pid: unflagged.pid()! },
  ];
  for (const { path: name, client, pid } of steady) {
    await measure(client, 'ev__echo', IN_FLIGHT, STEADY_CALLS);
    const row = { section: 'memory under steady load', path: name, values: memoryOf(pid) };
    console.log(`  ${name.padEnd(52)} peak ${format(row.values.peak)}  now ${format(row.values.rss)}`);
    rows.push(row);
  }

  await Promise.all([direct.direct.close(), relay.close(), direct.viaProxy.client.close(), unflagged.client.close(), recording.client.close(), before?.close()]);
  for (const client of [...sessions.direct, ...sessions.isolated, ...sessions.shared, ...sessions.peers.flatMap((p) => p.clients)]) await client.close().catch(() => {});
  http.stop();
  await isolated.stop();
  await shared.stop();
  await idleSessions();
}

/** An SDK client straight to a stdio server; `pin`: the protocol version it speaks (default: 2025-11-25 by initialize). */
async function directStdio(server: StdioServer, pin?: string): Promise<Client> {
  const client = new Client({ name: 'bench', version: '1' }, pin ? { versionNegotiation: { mode: { pin } } } : {});
  await client.connect(new StdioClientTransport({ command: server.command, args: server.args, stderr: 'ignore' }));
  return client;
}

/**
 * Where the two protocol eras take different paths: a 2026-07-28 client (no initialize, `_meta`
 * on every request) through mcproxy to server-everything (2025-11-25, bridged) and to the SDK v2
 * dual-era fixture (2026-07-28 on both hops), each beside its direct connection in the same rounds.
 */
async function eras(): Promise<void> {
  console.log(`\ntools/call across the protocol eras, ${CALLS} calls per figure; latency ms`);
  const modern = { era: 'modern' as const };
  const dualEra = fixture('modern-server', '--stdio');
  const direct = {
    legacy: await directStdio(everything),
    modern: await directStdio(dualEra, '2026-07-28'),
  };
  const proxied = {
    legacyToLegacy: (await connectStdio(writeConfig({ logging: { level: 'warn' }, upstreams: { ev: everything } }))).client,
    toLegacy: (await connectStdio(writeConfig({ logging: { level: 'warn' }, upstreams: { ev: everything } }), modern)).client,
    toModern: (await connectStdio(writeConfig({ logging: { level: 'warn' }, upstreams: { v2: dualEra } }), modern)).client,
    toLegacyBefore: BEFORE_CLI ? await directStdio({ command: process.execPath, args: [BEFORE_CLI, '--config', writeConfig({ logging: { level: 'warn' }, upstreams: { ev: everything } })] }, '2026-07-28') : undefined,
    toModernBefore: BEFORE_CLI ? await directStdio({ command: process.execPath, args: [BEFORE_CLI, '--config', writeConfig({ logging: { level: 'warn' }, upstreams: { v2: dualEra } })] }, '2026-07-28') : undefined,
  };
  // The proxy's own CPU per 1,000 calls beside the figures (not its upstream's), ms.
  const withCpu = async (client: Client, tool: string, inFlight: number) => {
    const pid = (client.transport as StdioClientTransport).pid!;
    const before = cpuOf(pid);
    const figures = callFigures(await measure(client, tool, inFlight));
    return { ...figures, proxyCpuMsPer1000: ((cpuOf(pid) - before) * 1000) / CALLS };
  };
  const httpFixture = await startHttpFixture('modern-server', '--port', '0');
  const httpProxy = await startHttpProxy(writeConfig({ logging: { level: 'warn' }, upstreams: { v2: dualEra } }));
  const http = { direct: (await connectHttp(httpFixture.url, modern)).client, proxied: (await connectHttp(httpProxy.url, modern)).client };
  const directModern = 'direct stdio, 2026-07-28 (the SDK v2 fixture)';
  const directHttpModern = 'direct Streamable HTTP, 2026-07-28 (the SDK v2 fixture)';
  for (const inFlight of [1, IN_FLIGHT]) {
    await interleaved(`eras, ${inFlight === 1 ? 'sequential' : `${IN_FLIGHT} in flight`}`, [
      { name: 'direct stdio, 2025-11-25 (server-everything)', run: async () => callFigures(await measure(direct.legacy, 'echo', inFlight)) },
      { name: 'mcproxy stdio, a 2025-11-25 client → server-everything', vs: 'direct stdio, 2025-11-25 (server-everything)', run: () => withCpu(proxied.legacyToLegacy, 'ev__echo', inFlight) },
      { name: 'mcproxy stdio, a 2026-07-28 client → server-everything', vs: 'direct stdio, 2025-11-25 (server-everything)', run: () => withCpu(proxied.toLegacy, 'ev__echo', inFlight) },
      ...(proxied.toLegacyBefore ? [{ name: 'mcproxy stdio, a 2026-07-28 client → server-everything, before (BENCH_BEFORE_CLI)', vs: 'direct stdio, 2025-11-25 (server-everything)', run: () => withCpu(proxied.toLegacyBefore!, 'ev__echo', inFlight) }] : []),
      { name: directModern, run: async () => callFigures(await measure(direct.modern, 'test_simple_text', inFlight)) },
      { name: 'mcproxy stdio, 2026-07-28 on both hops', vs: directModern, run: () => withCpu(proxied.toModern, 'v2__test_simple_text', inFlight) },
      ...(proxied.toModernBefore ? [{ name: 'mcproxy stdio, 2026-07-28 on both hops, before (BENCH_BEFORE_CLI)', vs: directModern, run: () => withCpu(proxied.toModernBefore!, 'v2__test_simple_text', inFlight) }] : []),
      { name: directHttpModern, run: async () => callFigures(await measure(http.direct, 'test_simple_text', inFlight)) },
      { name: 'mcproxy HTTP → stdio, 2026-07-28 on both hops', vs: directHttpModern, run: async () => callFigures(await measure(http.proxied, 'v2__test_simple_text', inFlight)) },
    ]);
  }
  await Promise.all([direct.legacy.close(), direct.modern.close(), proxied.legacyToLegacy.close(), proxied.toLegacy.close(), proxied.toModern.close(), proxied.toLegacyBefore?.close() ?? Promise.resolve(), proxied.toModernBefore?.close() ?? Promise.resolve(), http.direct.close(), http.proxied.close()].map((closing) => closing.catch(() => {})));
  httpFixture.child.kill();
  await httpProxy.stop();
}

/** RSS each idle HTTP session adds (a shared upstream, so no child per session). */
async function idleSessions(): Promise<void> {
  const proxy = await startHttpProxy(writeConfig({ logging: { level: 'warn' }, upstreams: { ev: { ...everything, shared: true } } }));
  const warm = await httpClients(proxy.url, 5);
  for (const client of warm) await client.listTools();
  const before = memoryOf(proxy.child.pid!).rss;
  const count = 100;
  const idle = await httpClients(proxy.url, count);
  for (const client of idle) await client.listTools();
  const after = memoryOf(proxy.child.pid!).rss;
  const values = { perSessionMiB: (after - before) / count, rssMiB: after };
  rows.push({ section: 'memory', path: `mcproxy HTTP, ${count} more idle sessions`, values });
  console.log(`  ${`mcproxy HTTP, ${count} more idle sessions`.padEnd(52)} ${format(values.perSessionMiB)} MiB each`);
  for (const client of [...warm, ...idle]) await client.close().catch(() => {});
  await proxy.stop();
}

async function startup(): Promise<void> {
  console.log('\nstartup, ms');
  await interleaved('startup', [
    { name: 'node -e 0', run: async () => ({ ms: timed(process.execPath, ['-e', '0']) }) },
    { name: 'mcproxy --version', vs: 'node -e 0', run: async () => ({ ms: timed(process.execPath, [CLI, '--version']) }) },
    ...(BEFORE_CLI ? [{ name: 'mcproxy --version, before', vs: 'node -e 0', run: async () => ({ ms: timed(process.execPath, [BEFORE_CLI, '--version']) }) }] : []),
  ]);
  const one = writeConfig({ logging: { level: 'warn' }, upstreams: { ev: everything } });
  const tenServers = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`ev${i}`, everything]));
  const ten = writeConfig({ logging: { level: 'warn' }, upstreams: tenServers });
  // The launches keep their data folder (where `protocol: auto` remembers each upstream's era) to
  // themselves: one unmeasured launch first, as a client relaunching mcproxy finds it. The first
  // launch ever, which probes, has its own row with a new folder each time.
  const data = { MCPROXY_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'mcproxy-bench-data-')) };
  for (const cli of [CLI, ...(BEFORE_CLI ? [BEFORE_CLI] : [])]) {
    for (const config of [one, ten]) await launchAndList({ command: process.execPath, args: [cli, '--config', config] }, data);
  }
  const firstEver = () => ({ MCPROXY_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'mcproxy-bench-first-')) });
  await interleaved('launched by a client: spawn → initialize → tools/list', [
    // cpuMs: the launched process's own CPU by the answer (the proxy's, not its server's).
    { name: 'server-everything launched directly', run: () => launched(everything, {}, 'echo') },
    { name: 'mcproxy with it, 1 stdio upstream', vs: 'server-everything launched directly', run: () => launched({ command: process.execPath, args: [CLI, '--config', one] }, data, 'ev__echo') },
    {
      name: 'mcproxy with it, 1 stdio upstream, its first launch (era probe)',
      vs: 'server-everything launched directly',
      run: () => launched({ command: process.execPath, args: [CLI, '--config', one] }, firstEver(), 'ev__echo'),
    },
    ...(BEFORE_CLI
      ? [{ name: 'mcproxy with it, 1 stdio upstream, before', vs: 'server-everything launched directly', run: () => launched({ command: process.execPath, args: [BEFORE_CLI, '--config', one] }, data, 'ev__echo') }]
      : []),
    {
      name: '10 × server-everything launched directly, at once',
      run: async () => ({ ms: Math.max(...(await Promise.all(Array.from({ length: 10 }, () => launchAndList(everything))))) }),
    },
    { name: 'mcproxy with 10 stdio upstreams', vs: '10 × server-everything launched directly, at once', run: async () => ({ ms: await launchAndList({ command: process.execPath, args: [CLI, '--config', ten] }, data) }) },
    ...(BEFORE_CLI
      ? [{ name: 'mcproxy with 10 stdio upstreams, before', vs: '10 × server-everything launched directly, at once', run: async () => ({ ms: await launchAndList({ command: process.execPath, args: [BEFORE_CLI, '--config', ten] }, data) }) }]
      : []),
  ]);
  const isolated = await startHttpProxy(one);
  const isolatedBefore = BEFORE_CLI ? await startHttpProxy(one, [], {}, BEFORE_CLI) : undefined;
  const shared = await startHttpProxy(writeConfig({ logging: { level: 'warn' }, upstreams: { ev: { ...everything, shared: true } } }));
  const http = await directHttp();
  const firstList = async (url: string) => {
    const t0 = performance.now();
    const { client, transport } = await connectHttp(url);
    await client.listTools();
    const ms = performance.now() - t0;
    await transport.terminateSession().catch(() => {});
    await client.close();
    // Sessions come 1.5 s apart: time for the replacement of a taken spare (a child per session)
    // to start, without it taking the CPU from the next measurement.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    return { ms };
  };
  // One session each, not measured: a proxy that runs has seen its kind of client (spares of
  // that kind wait), and every server has run its code once.
  for (const url of [http.url, isolated.url, shared.url, ...(isolatedBefore ? [isolatedBefore.url] : [])]) await firstList(url);
  await interleaved('a new HTTP session: connect → initialize → tools/list', [
    { name: 'direct Streamable HTTP', run: () => firstList(http.url) },
    { name: 'mcproxy HTTP → stdio (a child per session)', vs: 'direct Streamable HTTP', run: () => firstList(isolated.url) },
    ...(isolatedBefore ? [{ name: 'mcproxy HTTP → stdio (a child per session), before', vs: 'direct Streamable HTTP', run: () => firstList(isolatedBefore.url) }] : []),
    { name: 'mcproxy HTTP → stdio, shared: true', vs: 'direct Streamable HTTP', run: () => firstList(shared.url) },
  ]);
  http.stop();
  await isolated.stop();
  await isolatedBefore?.stop();
  await shared.stop();
}

/** 20 upstreams of 100 tools each (the paging fixture): the proxy's start, and tools/list once running. */
async function catalog(): Promise<void> {
  console.log('\ncatalog of 20 upstreams × 100 tools, ms');
  const upstreams = Object.fromEntries(
    Array.from({ length: 20 }, (_, i) => [`u${i}`, fixture('paging-server', '--tools', '100', '--prompts', '0', '--resources', '0', '--templates', '0', '--page', '100', '--prefix', `t${i}`)]),
  );
  const file = writeConfig({ logging: { level: 'warn' }, upstreams });
  // Its own data folder, the era verdicts in it from one unmeasured launch (see startup()).
  const data = { MCPROXY_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'mcproxy-bench-data-')) };
  await launchAndList({ command: process.execPath, args: [CLI, '--config', file] }, data);
  const launchedDirectly = '20 paging servers of 100 tools launched directly, at once';
  await interleaved('catalog 20 × 100 tools', [
    { name: launchedDirectly, run: async () => ({ ms: Math.max(...(await Promise.all(Object.values(upstreams).map((server) => launchAndList(server))))) }) },
    {
      name: 'mcproxy stdio: launch → tools/list of 2,000 tools',
      vs: launchedDirectly,
      run: async () => ({ ms: await launchAndList({ command: process.execPath, args: [CLI, '--config', file] }, data) }),
    },
  ]);
  // The baseline: one server with the same 2,000 tools in pages of the same size (the proxy's
  // default pageSize, 100), so the SDK client's own work on 20 pages is in both rows.
  const pagingServer2000 = fixture('paging-server', '--tools', '2000', '--prompts', '0', '--resources', '0', '--templates', '0', '--page', '100');
  const direct = await directStdio(pagingServer2000);
  const { client } = await connectStdio(file);
  await client.listTools();
  await direct.listTools();
  const lists = (lister: Client) => async () => {
    const times: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      await lister.listTools();
      times.push(performance.now() - t0);
    }
    return { ms: median(times) };
  };
  // The same pages fetched with no SDK on the client side: what is left is the server's own work.
  const rawDirect = await rawStdio(pagingServer2000);
  const rawProxy = await rawStdio({ command: process.execPath, args: [CLI, '--config', file] });
  if ((await listAllTools(rawProxy)) !== 2000) throw new Error('the proxy did not list 2,000 tools');
  const rawLists = (lister: RawClient) => async () => {
    const times: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      await listAllTools(lister);
      times.push(performance.now() - t0);
    }
    return { ms: median(times) };
  };
  const direct2000 = 'one server with 2,000 tools, direct (pages of 100)';
  const rawDirect2000 = 'the same, by a client without the SDK';
  await interleaved('catalog 20 × 100 tools', [
    { name: direct2000, run: lists(direct) },
    { name: 'mcproxy stdio: tools/list (2,000 tools), running', vs: direct2000, run: lists(client) },
    { name: rawDirect2000, run: rawLists(rawDirect) },
    { name: 'mcproxy, by a client without the SDK', vs: rawDirect2000, run: rawLists(rawProxy) },
  ]);
  await client.close();
  await direct.close();
  rawDirect.close();
  rawProxy.close();
}

/** A 1 MiB argument echoed back: 1 MiB each way. */
async function payloads(): Promise<void> {
  console.log('\n1 MiB argument and 1 MiB result (echo), ms per call');
  const message = 'x'.repeat(1024 * 1024);
  const direct = await directStdio(everything);
  const { client } = await connectStdio(writeConfig({ logging: { level: 'warn' }, upstreams: { ev: everything } }));
  const calls = async (c: Client, tool: string) => {
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await c.callTool({ name: tool, arguments: { message } });
      times.push(performance.now() - t0);
    }
    return { ms: median(times) };
  };
  await interleaved('1 MiB payloads', [
    { name: 'direct stdio', run: () => calls(direct, 'echo') },
    { name: 'mcproxy stdio → stdio', vs: 'direct stdio', run: () => calls(client, 'ev__echo') },
  ]);
  await direct.close();
  await client.close();
}

function machine() {
  const version = (pkg: string) => {
    try {
      return JSON.parse(readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version as string;
    } catch {
      return undefined;
    }
  };
  return {
    date: new Date().toISOString(),
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}`,
    loadAverage: os.loadavg().map((n) => n.toFixed(2)).join(' '),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    mcproxy: JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version,
    commit: gitCommit(),
    sdk: version('@modelcontextprotocol/client'),
    serverEverything: version('@modelcontextprotocol/server-everything'),
    rounds: ROUNDS,
    calls: CALLS,
  };
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  const only = process.env.BENCH_ONLY?.split(',');
  const wanted = (name: string) => !only || only.includes(name);
  const peers = wanted('calls') && process.env.BENCH_PEERS !== '0' ? await startPeers(path.join(RESULTS, 'peers'), everything) : [];
  try {
    if (wanted('calls')) await calls(peers);
    if (wanted('eras')) await eras();
    if (wanted('startup')) await startup();
    if (wanted('catalog')) await catalog();
    if (wanted('payloads')) await payloads();
  } finally {
    for (const peer of peers) peer.stop();
  }
  const report = { machine: machine(), peers: peers.map((peer) => peer.version), rows: withRatios(rows) };
  writeFileSync(path.join(RESULTS, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(path.join(RESULTS, `bench-${report.machine.date.replace(/[:.]/g, '-')}.json`), JSON.stringify(report, null, 2) + '\n');
  if (!only) writeFileSync(path.join(ROOT, 'bench', 'figures.svg'), renderChart(report));
  const table = markdownTable(report.rows);
  writeFileSync(path.join(RESULTS, 'latest.md'), `${table}\n`);
  console.log(`\n${table}`);
  console.log(`\nwritten: bench-results/latest.json, latest.md${only ? '' : ', bench/figures.svg'}`);
}

/** Each row with a `vs` gets `ratio`: its main figure over the baseline's (calls/s, or ms). */
function withRatios(all: Row[]): Array<Row & { ratio?: number }> {
  return all.map((row) => {
    const base = row.vs ? all.find((other) => other.section === row.section && other.path === row.vs) : undefined;
    if (!base) return row;
    const key = 'callsPerSecond' in row.values ? 'callsPerSecond' : 'ms';
    return { ...row, ratio: row.values[key] / base.values[key] };
  });
}

export function markdownTable(all: Array<Row & { ratio?: number }>): string {
  const lines = ['| section | path | figures | vs baseline |', '|---|---|---|---|'];
  for (const row of all) {
    const figures = Object.entries(row.values).map(([k, v]) => `${k} ${format(v)}`).join(', ');
    const ratio = row.ratio === undefined ? '' : 'callsPerSecond' in row.values ? `${(row.ratio * 100).toFixed(0)} % of ${row.vs}` : `${row.ratio.toFixed(2)}× ${row.vs}`;
    lines.push(`| ${row.section} | ${row.path} | ${figures} | ${ratio} |`);
  }
  return lines.join('\n');
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

