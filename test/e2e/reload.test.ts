// Hot reload through the real proxy process, with one client session open all along: the
// config file edited to add, change and remove upstreams (the session keeps working, hears
// list_changed, the unchanged upstream keeps its process), an invalid edit kept out, a
// namespace/policy change applied without restarting anything, SIGHUP (a storm of them is one
// reload; it never ends the proxy, in HTTP or stdio mode), and `mcproxy reload`.
// Upstreams: server-memory and server-everything from npm, and the crashing-server fixture
// (its `pid` tool tells a restarted process from the old one).
import type { Client } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { CLI, ROOT, serverPackage } from '../helpers/paths.js';
import { connectHttp, connectStdio, startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';
import { text } from '../helpers/results.js';
import { everything, fixture } from '../helpers/upstreams.js';
import { sleep, waitUntil } from '../helpers/wait.js';

const memory = { command: process.execPath, args: [serverPackage('memory')] };
const crashing = fixture('crashing-server');

/** The pid of the process (a stdio upstream) whose command line mentions `needle`, among the proxy's children. */
function childWith(proxyPid: number, needle: string): number | undefined {
  const lines = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(proxyPid)], { encoding: 'utf8' }).split('\n');
  const line = lines.find((l) => l.includes(needle));
  return line ? Number(line.trim().split(/\s+/)[0]) : undefined;
}

describe('hot reload (Streamable HTTP, one session open throughout)', function () {
  this.timeout(120_000);
  let file: string;
  let env: Record<string, string>;
  let proxy: HttpProxy;
  let client: Client;
  let toolsChanged = 0;
  const write = (config: unknown) => writeFileSync(file, typeof config === 'string' ? config : stringify(config));
  const tools = async () => (await client.listTools()).tools.map((tool) => tool.name);
  const reloads = () => proxy.stderr().match(/reload \([^)]*\): .*/g) ?? [];

  const v1 = {
    upstreams: {
      keep: { ...memory, namespace: 'mem' },
      change: { ...crashing, env: { VERSION: '1' } },
      drop: crashing,
    },
  };

  before(async () => {
    file = writeConfig(v1);
    env = { MCPROXY_DATA_DIR: path.join(path.dirname(file), 'data') };
    proxy = await startHttpProxy(file, [], env);
    client = (await connectHttp(proxy.url)).client;
    client.setNotificationHandler('notifications/tools/list_changed', () => void toolsChanged++);
  });
  after(async () => {
    await client?.close();
    await proxy?.stop();
  });

  it('adds, restarts and removes upstreams from an edited file; the session stays, hears list_changed, and the unchanged upstream keeps its process', async () => {
    const before = await tools();
    assert.ok(before.includes('mem__read_graph') && before.includes('change__pid') && before.includes('drop__echo'), before.join(', '));
    const keepPid = childWith(proxy.child.pid!, 'server-memory');
    assert.ok(keepPid, 'server-memory runs under the proxy');
    const changePid = text(await client.callTool({ name: 'change__pid', arguments: {} }));
    const inFlight = client.callTool({ name: 'drop__slow', arguments: { ms: 30_000 } });
    await sleep(300);
    const heard = toolsChanged;

    write({
      upstreams: {
        keep: { ...memory, namespace: 'mem' },
        change: { ...crashing, env: { VERSION: '2' } },
        added: { ...everything, namespace: 'ev' },
      },
    });
    await waitUntil(() => reloads().length > 0, 'the reload', 10_000);
    assert.match(reloads()[0] ?? '', /reload \(file changed\): added added; removed drop; restarted change; kept keep/);
    await assert.rejects(inFlight, /Upstream 'drop' is unavailable: removed from the config/);
    await waitUntil(async () => (await tools()).includes('ev__echo'), 'the added upstream’s tools', 30_000);
    assert.ok(toolsChanged > heard, 'the client heard list_changed');

    const after = await tools();
    assert.ok(!after.some((name) => name.startsWith('drop__')), `drop's tools are gone: ${after.join(', ')}`);
    assert.equal(text(await client.callTool({ name: 'ev__echo', arguments: { message: 'hi' } })), 'Echo: hi');
    assert.notEqual(text(await client.callTool({ name: 'change__pid', arguments: {} })), changePid, 'the changed upstream is a new process');
    assert.equal(childWith(proxy.child.pid!, 'server-memory'), keepPid, 'the unchanged upstream is the same process');
    const graph = await client.callTool({ name: 'mem__read_graph', arguments: {} });
    assert.notEqual(graph.isError, true);
  });

  it('keeps the running config when an edit is invalid, naming file, line and key', async () => {
    const keepPid = childWith(proxy.child.pid!, 'server-memory');
    const count = reloads().length;
    write(stringify({ upstreams: { keep: { ...memory, namespace: 'mem', failMode: 'sometimes' }, change: { ...crashing, env: { VERSION: '2' } } } }));
    await waitUntil(() => reloads().length > count, 'the reload attempt', 10_000);
    assert.match(reloads().at(-1)!, /the config is invalid, still running the previous one/);
    assert.match(proxy.stderr(), new RegExp(`${path.basename(file)}:\\d+:\\d+ upstreams\\.keep\\.failMode: `));
    assert.ok((await tools()).includes('ev__echo'), 'nothing was removed');
    assert.equal(text(await client.callTool({ name: 'ev__echo', arguments: { message: 'still' } })), 'Echo: still');
    assert.equal(childWith(proxy.child.pid!, 'server-memory'), keepPid);
  });

  it('applies a namespace, policy and profile change without restarting any upstream', async () => {
    const keepPid = childWith(proxy.child.pid!, 'server-memory');
    const changePid = text(await client.callTool({ name: 'change__pid', arguments: {} }));
    const heard = toolsChanged;
    const count = reloads().length;
    write({
      policy: { tools: { block: ['ev__*'] } },
      profiles: { mini: { upstreams: ['keep'] } },
      upstreams: {
        keep: { ...memory, namespace: 'memory' },
        change: { ...crashing, env: { VERSION: '2' } },
        added: { ...everything, namespace: 'ev' },
      },
    });
    await waitUntil(() => reloads().length > count, 'the reload', 10_000);
    assert.match(reloads().at(-1)!, /updated keep in place; naming\/policy\/profiles changed; kept change, added/);
    await waitUntil(() => toolsChanged > heard, 'list_changed');
    const now = await tools();
    assert.ok(now.includes('memory__read_graph') && !now.includes('mem__read_graph'), now.join(', '));
    assert.ok(!now.some((name) => name.startsWith('ev__')), 'the policy blocks ev__*');
    assert.equal(childWith(proxy.child.pid!, 'server-memory'), keepPid);
    assert.equal(text(await client.callTool({ name: 'change__pid', arguments: {} })), changePid);
    // The new profile is served at its own path at once.
    const mini = (await connectHttp(`${proxy.url}/mini`)).client;
    const miniTools = (await mini.listTools()).tools.map((tool) => tool.name);
    assert.ok(miniTools.length > 0 && miniTools.every((name) => name.startsWith('memory__')), miniTools.join(', '));
    await mini.close();
  });

  it('reloads on SIGHUP; a storm of twenty is one reload, and the proxy stays up', async () => {
    const count = reloads().length;
    for (let i = 0; i < 20; i++) proxy.child.kill('SIGHUP');
    await waitUntil(() => reloads().length > count, 'the reload', 10_000);
    await sleep(1_000);
    const hup = reloads().slice(count);
    assert.deepEqual(hup, ['reload (SIGHUP): no changes']);
    assert.equal(proxy.child.exitCode, null);
    assert.ok((await tools()).includes('memory__read_graph'));
  });

  it('`mcproxy reload` reloads the running proxy, and prints the problems of an invalid config', () => {
    const run = () => spawnSync(process.execPath, [CLI, 'reload', '--config', file], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
    const ok = run();
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`mcproxy \\(pid ${proxy.child.pid}\\): reloaded: no changes`));
    write('upstreams:\n  keep:\n    command: [not, a, string]\n');
    const bad = run();
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /the config is invalid; still running the previous one:\n.*:3:\d+ upstreams\.keep\.command: /);
  });
});

describe('SIGHUP in stdio mode', function () {
  this.timeout(60_000);
  it('reloads instead of ending the proxy', async () => {
    const file = writeConfig({ upstreams: { c: crashing } });
    const { client, pid } = await connectStdio(file, { env: { MCPROXY_DATA_DIR: path.join(path.dirname(file), 'data') } });
    assert.equal(text(await client.callTool({ name: 'c__echo', arguments: { text: 'before' } })), 'before');
    process.kill(pid()!, 'SIGHUP');
    await sleep(1_000);
    assert.equal(text(await client.callTool({ name: 'c__echo', arguments: { text: 'after' } })), 'after');
    await client.close();
  });
});
