// Warm spares in HTTP mode: a new session gets an upstream connection started, initialized and
// listed before it came, a replacement starts behind it, a spare serves only a client of the
// kind it was initialized for (server-everything offers its sampling tool only to a client
// that declared sampling), what a spare's server asks before its session comes reaches that
// session (server-filesystem's roots/list), a spare that dies comes back, a reload that
// restarts the upstream discards its spares, and a SIGKILLed proxy leaves no spare behind. The
// real proxy process, real SDK clients over HTTP, server-everything and server-filesystem from
// npm, and the crashing-server fixture (its `pid` tool names the process).
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { alive, waitFor } from '../helpers/processes.js';
import { connectHttp, startHttpProxy, writeConfig, type ClientOptions, type HttpProxy } from '../helpers/proxy.js';
import { text } from '../helpers/results.js';
import { everything, fixture } from '../helpers/upstreams.js';
import { serverPackage } from '../helpers/paths.js';
import { waitUntil } from '../helpers/wait.js';

/** Processes under `pid`, at any depth, whose command line mentions `needle` (the watchdog is not counted). */
function processesUnder(pid: number, needle: string): number[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map(([, child, parent, args]) => ({ pid: Number(child), ppid: Number(parent), args }));
  const under = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of table) if (under.has(row.ppid) && !under.has(row.pid)) grew = under.add(row.pid) !== undefined;
  }
  return table.filter((row) => row.pid !== pid && under.has(row.pid) && row.args.includes(needle) && !row.args.includes('mcproxy-watchdog')).map((row) => row.pid);
}

describe('warm spares for new HTTP sessions (stdio upstreams, a connection per session)', function () {
  this.timeout(120_000);
  const crashing = fixture('crashing-server');
  let file: string;
  let proxy: HttpProxy;
  const clients: Client[] = [];
  /** Clients of the `files` profile (server-filesystem only): they count apart. */
  const rootsClients: Client[] = [];
  /** The kinds of client that came (their capabilities): each keeps one spare per upstream. */
  const kinds = new Set<string>();
  const folders = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-spares-'));
  const config = (crashingArgs: string[]) => ({
    upstreams: {
      ev: { ...everything },
      one: { ...crashing, args: [...crashing.args, ...crashingArgs] },
      fs: { command: process.execPath, args: [serverPackage('filesystem'), folders] },
    },
    profiles: { main: { upstreams: ['ev', 'one'] }, files: { upstreams: ['fs'] } },
    server: { defaultProfile: 'main' },
  });
  const session = async (options: ClientOptions = {}) => {
    const { client } = await connectHttp(proxy.url, options);
    clients.push(client);
    kinds.add(JSON.stringify(options.capabilities ?? {}));
    return client;
  };
  /** A client that declares roots and answers roots/list with `uri` (its handler set before it connects). */
  const rootsSession = async (uri: string) => {
    const client = new Client({ name: 'roots', version: '1.0.0' }, { capabilities: { roots: {} } });
    client.setRequestHandler('roots/list', async () => ({ roots: [{ uri, name: uri }] }));
    await client.connect(new StreamableHTTPClientTransport(new URL(`${proxy.url}/files`)));
    rootsClients.push(client);
    return client;
  };
  /** A folder a roots client offers, as a file:// URI. */
  const root = (name: string) => {
    mkdirSync(path.join(folders, name));
    return pathToFileURL(path.join(folders, name)).href;
  };
  const servers = (needle: string) => processesUnder(proxy.child.pid!, needle);
  const pidOf = async (client: Client) => Number(text(await client.callTool({ name: 'one__pid', arguments: {} })));

  before(async () => {
    file = writeConfig(config([]));
    proxy = await startHttpProxy(file, [], { MCPROXY_LOG_LEVEL: 'debug' });
  });
  after(async () => {
    await Promise.all([...clients, ...rootsClients].map((client) => client.close().catch(() => {})));
    if (proxy?.child.signalCode === null) await proxy.stop();
  });

  it('hands a spare only to a client of the kind it was initialized for', async () => {
    const sampling = { capabilities: { sampling: {} } };
    const canSample = async (client: Client) => (await client.listTools()).tools.some((tool) => tool.name === 'ev__trigger-sampling-request');
    assert.ok(await canSample(await session(sampling)), 'server-everything offers sampling to a client that declared it');
    await waitUntil(() => servers('server-everything').length === clients.length + 1, 'a spare of the sampling kind', 20_000);

    assert.equal(await canSample(await session()), false, 'a client without sampling never gets the spare that declared it');
    assert.ok(await canSample(await session(sampling)), 'a second sampling client gets a connection that declared sampling');
  });

  it('passes what a spare’s server asked before its session came (roots) to that session', async () => {
    // server-filesystem asks for roots as soon as it is initialized and serves those folders instead of its own.
    await rootsSession(root('first'));
    await waitUntil(() => servers('server-filesystem').length === 2, 'a spare of the roots kind', 20_000);
    await waitUntil(() => /\[upstream=fs\] spare holds roots\/list/.test(proxy.stderr()), 'the spare to hold roots/list', 20_000);
    const second = await rootsSession(root('second'));
    const allowed = async () => text(await second.callTool({ name: 'fs__list_allowed_directories', arguments: {} }));
    await waitUntil(async () => (await allowed()).includes(path.join(folders, 'second')), 'the second client’s roots at its server', 10_000);
  });

  it('hands a new session a connection started before it came, and starts a replacement', async () => {
    const spares = kinds.size;
    await waitUntil(() => servers('crashing-server').length === clients.length + spares, 'a spare of each kind', 20_000);
    const before = servers('crashing-server');
    const taken = await Promise.all(clients.map(pidOf));

    const next = await session();
    const names = (await next.listTools()).tools.map((tool) => tool.name);
    assert.ok(names.includes('one__pid') && names.includes('ev__echo'), names.join(', '));
    const pid = await pidOf(next);
    assert.ok(before.includes(pid) && !taken.includes(pid), `the session's process ${pid} was a spare before it came (running: ${before.join(', ')}; sessions': ${taken.join(', ')})`);

    await waitUntil(() => servers('crashing-server').length === clients.length + spares, 'a replacement spare', 20_000);
    assert.ok(servers('crashing-server').some((started) => !before.includes(started)), 'the replacement is a new process');
  });

  it('restarts a spare that dies, under the restart policy', async () => {
    const taken = await Promise.all(clients.map(pidOf));
    const [idle] = servers('crashing-server').filter((pid) => !taken.includes(pid));
    assert.ok(idle, 'an idle spare runs');
    process.kill(idle, 'SIGKILL');
    await waitUntil(() => !alive(idle) && servers('crashing-server').length === clients.length + kinds.size, 'the spare to be back', 20_000);
    assert.match(proxy.stderr(), /\[upstream=one\] connection closed.*; reconnecting/);
  });

  it('a reload that restarts the upstream discards its spares', async () => {
    const old = servers('crashing-server');
    assert.equal(old.length, clients.length + kinds.size, 'the spares run beside the sessions’ own processes');
    writeFileSync(file, stringify(config(['--start-after', '1'])));
    await waitUntil(() => /reload \([^)]*\): .*restarted one/.test(proxy.stderr()), 'the reload', 10_000);
    await waitUntil(() => old.every((pid) => !alive(pid)), 'every old crashing-server, spares included, to exit', 20_000);
    // The sessions go on with the new config.
    await waitUntil(() => pidOf(clients[0]).then((pid) => !old.includes(pid), () => false), 'the session to call the restarted upstream', 20_000);
  });

  it('leaves no spare behind when the proxy is killed', async () => {
    await waitUntil(() => servers('crashing-server').length === clients.length + kinds.size, 'spares of the new config', 20_000);
    // The sessions' own processes go with them; the spares stay for the next sessions.
    await Promise.all([...clients.splice(0), ...rootsClients.splice(0)].map((client) => client.close()));
    const all = [...servers('crashing-server'), ...servers('server-everything')];
    assert.ok(all.length >= 2 * kinds.size, `spares of both upstreams: ${all.join(', ')}`);
    proxy.child.kill('SIGKILL');
    assert.ok(await waitFor(() => all.every((pid) => !alive(pid)), 15_000), `still running: ${all.filter(alive).join(', ')}`);
  });
});
