// Upstream faults through the real proxy process: failMode open and closed with a crashing
// fixture upstream; the restart policy reaching `failed`, shared by every HTTP session (a
// broken server is not spawned again for each new session: spawns counted), and brought back
// by `mcproxy restart`; and a remote upstream that forgets its sessions (a real mcproxy in
// HTTP mode, restarted on the same port, answers 404 for the old session id), re-initialized
// with the call succeeding.
import type { Client } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CLI, ROOT } from '../helpers/paths.js';
import { connectHttp, startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';
import { text } from '../helpers/results.js';
import { fixture } from '../helpers/upstreams.js';
import { untilAnswered, waitUntil } from '../helpers/wait.js';
import { alive } from '../helpers/processes.js';

const folder = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-faults-'));
const env = { MCPROXY_DATA_DIR: path.join(folder, 'data') };
const crashing = (...args: string[]) => fixture('crashing-server', ...args);
const count = (haystack: string, needle: RegExp) => haystack.match(new RegExp(needle.source, 'g'))?.length ?? 0;

async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((tool) => tool.name);
}

function mcproxy(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
}

describe('upstream faults: failMode', function () {
  this.timeout(60_000);
  const openDown = path.join(folder, 'open-down');
  const closedDown = path.join(folder, 'closed-down');
  let proxy: HttpProxy;
  let client: Client;
  let toolsChanged = 0;
  before(async () => {
    proxy = await startHttpProxy(
      writeConfig({
        upstreams: {
          opened: { ...crashing('--down-file', openDown), failMode: 'open' },
          closed: { ...crashing('--down-file', closedDown), failMode: 'closed' },
        },
      }),
      [],
      env,
    );
    client = (await connectHttp(proxy.url)).client;
    client.setNotificationHandler('notifications/tools/list_changed', () => void toolsChanged++);
  });
  after(async () => {
    await client?.close();
    await proxy?.stop();
  });

  it('open: a down upstream’s tools leave the list (list_changed) and come back with it', async () => {
    assert.ok((await toolNames(client)).includes('opened__echo'));
    const before = toolsChanged;
    await assert.rejects(client.callTool({ name: 'opened__crash', arguments: { downMs: 4_000 } }), /Upstream 'opened'/);
    await waitUntil(() => toolsChanged > before, 'list_changed after the crash');
    const whileDown = await toolNames(client);
    assert.ok(!whileDown.includes('opened__echo'), `opened's tools are gone while it is down: ${whileDown.join(', ')}`);
    assert.ok(whileDown.includes('closed__echo'), 'the other upstream is untouched');
    await assert.rejects(client.callTool({ name: 'opened__echo', arguments: { text: 'x' } }), /Unknown tool: opened__echo/);
    await waitUntil(async () => (await toolNames(client)).includes('opened__echo'), 'opened to come back', 20_000);
    assert.equal(text(await client.callTool({ name: 'opened__echo', arguments: { text: 'back' } })), 'back');
  });

  it('closed: a down upstream’s tools stay listed and their calls fail at once with the reason', async () => {
    await assert.rejects(client.callTool({ name: 'closed__crash', arguments: { downMs: 4_000 } }), /Upstream 'closed'/);
    const whileDown = await toolNames(client);
    assert.ok(whileDown.includes('closed__echo'), 'closed keeps its tools listed');
    await assert.rejects(client.callTool({ name: 'closed__echo', arguments: { text: 'x' } }), (error: Error) => {
      assert.match(error.message, /Upstream 'closed' is unavailable: .*exited with code 1/);
      return true;
    });
    assert.equal(text(await client.callTool({ name: 'opened__echo', arguments: { text: 'fine' } })), 'fine', 'the other upstream serves meanwhile');
    const back = await untilAnswered(() => client.callTool({ name: 'closed__echo', arguments: { text: 'back' } }), 'closed to come back', 20_000);
    assert.equal(text(back), 'back');
  });
});

describe('upstream faults: the restart policy, shared by every session', function () {
  this.timeout(90_000);
  const downFile = path.join(folder, 'broken-down');
  let proxy: HttpProxy;
  let configFile: string;
  before(async () => {
    // Down for an hour: every start exits at once, writing "still down" on stderr.
    writeFileSync(downFile, String(Date.now() + 3_600_000));
    configFile = writeConfig({
      upstreams: {
        broken: { ...crashing('--down-file', downFile), restart: { maxFailures: 3, windowMs: 600_000, initialDelayMs: 300, maxDelayMs: 600 } },
        fine: crashing(),
      },
    });
    proxy = await startHttpProxy(configFile, [], env);
  });
  after(async () => proxy?.stop());

  const starts = () => count(proxy.stderr(), /\[upstream=broken\] crashing-server: still down/);

  it('twelve new HTTP sessions against a broken upstream start it at most maxFailures (3) times, then it is `failed`', async () => {
    for (let i = 0; i < 12; i++) {
      const { client, transport } = await connectHttp(proxy.url);
      const tools = await toolNames(client);
      assert.ok(tools.includes('fine__echo'), 'the healthy upstream serves every session');
      await transport.terminateSession().catch(() => {});
      await client.close();
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    await waitUntil(() => /\[upstream=broken\] .*not restarting it/.test(proxy.stderr()) || starts() >= 3, 'the policy to give up', 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(starts(), 3, `spawned ${starts()} times for 12 sessions`);
    const { client } = await connectHttp(proxy.url);
    await assert.rejects(client.callTool({ name: 'broken__echo', arguments: { text: 'x' } }), /Unknown tool|unavailable/);
    await client.close();
    assert.equal(starts(), 3, 'one more session does not start it again');
  });

  it('`mcproxy restart broken` starts it again once it works, and an open session gets its tools', async () => {
    const { client } = await connectHttp(proxy.url);
    let toolsChanged = 0;
    client.setNotificationHandler('notifications/tools/list_changed', () => void toolsChanged++);
    assert.ok(!(await toolNames(client)).includes('broken__echo'));
    writeFileSync(downFile, '0'); // fixed
    const restart = mcproxy(['restart', 'broken', '--config', configFile]);
    assert.equal(restart.status, 0, restart.stderr);
    assert.match(restart.stdout, /mcproxy \(pid \d+\): restarting broken/);
    await waitUntil(async () => toolsChanged > 0 && (await toolNames(client)).includes('broken__echo'), 'list_changed, and its tools', 20_000);
    assert.equal(text(await client.callTool({ name: 'broken__echo', arguments: { text: 'up' } })), 'up');
    const unknown = mcproxy(['restart', 'nosuch', '--config', configFile]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /no upstream named nosuch \(upstreams: broken, fine\)/);
    await client.close();
  });
});

describe('upstream faults: a remote upstream that forgets its sessions', function () {
  this.timeout(90_000);
  let inner: HttpProxy | undefined;
  let outer: HttpProxy;
  let port: number;
  let innerConfig: string;
  before(async () => {
    port = await freePort();
    innerConfig = writeConfig({ upstreams: { c: crashing() } });
    inner = await startHttpProxy(innerConfig, ['--port', String(port)], env);
    // legacy: sessions are a 2025-11-25 thing; under `protocol: auto` the inner mcproxy would be spoken to in 2026-07-28, statelessly.
    outer = await startHttpProxy(writeConfig({ upstreams: { remote: { url: `http://127.0.0.1:${port}/mcp`, transport: 'streamable-http', protocol: 'legacy' } } }), [], env);
  });
  after(async () => {
    await outer?.stop();
    await inner?.stop();
  });

  it('answers the next call after the server restarted: a new session, the call retried once', async () => {
    const { client } = await connectHttp(outer.url);
    assert.equal(text(await client.callTool({ name: 'remote__c__echo', arguments: { text: 'one' } })), 'one');
    // The inner proxy restarts on the same port: it knows no session from before.
    await inner!.stop();
    inner = await startHttpProxy(innerConfig, ['--port', String(port)], env);
    assert.equal(text(await client.callTool({ name: 'remote__c__echo', arguments: { text: 'two' } })), 'two');
    assert.match(outer.stderr(), /\[upstream=remote\] the server no longer knows our session \(HTTP 404\): initializing a new one/);
    assert.equal(text(await client.callTool({ name: 'remote__c__echo', arguments: { text: 'three' } })), 'three');
    await client.close();
  });
});

/** A port free right now (the inner proxy must come back on the same one). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('upstream faults: a hung upstream, found by the health check', function () {
  this.timeout(90_000);
  let proxy: HttpProxy;
  let client: Client;
  before(async () => {
    proxy = await startHttpProxy(
      writeConfig({
        upstreams: {
          hung: { ...crashing(), healthCheck: { intervalMs: 500, timeoutMs: 1_000 }, restart: { initialDelayMs: 4_000, maxDelayMs: 4_000 } },
          other: crashing(),
        },
      }),
      [],
      env,
    );
    client = (await connectHttp(proxy.url)).client;
  });
  after(async () => {
    await client?.close();
    await proxy?.stop();
  });

  it('is treated as down (its process ended, calls failing at once with the reason), never blocks the other, and comes back', async () => {
    const stuckPid = Number(text(await client.callTool({ name: 'hung__pid', arguments: {} })));
    process.kill(stuckPid, 'SIGSTOP'); // alive, but answers nothing
    try {
      assert.equal(text(await client.callTool({ name: 'other__echo', arguments: { text: 'unblocked' } })), 'unblocked');
      await waitUntil(() => /\[upstream=hung\] health check unanswered within 1000 ms/.test(proxy.stderr()), 'the health check to fail', 15_000);
      await assert.rejects(client.callTool({ name: 'hung__echo', arguments: { text: 'x' } }), /Upstream 'hung' is unavailable: health check unanswered within 1000 ms/);
      await waitUntil(() => !alive(stuckPid), 'the hung process to be ended', 15_000);
      const newPid = Number(text(await untilAnswered(() => client.callTool({ name: 'hung__pid', arguments: {} }), 'a new process to serve', 20_000)));
      assert.notEqual(newPid, stuckPid);
    } finally {
      if (alive(stuckPid)) process.kill(stuckPid, 'SIGKILL');
    }
  });
});
