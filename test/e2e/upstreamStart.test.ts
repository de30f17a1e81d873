// Upstreams as a daily user meets them (issue 18): what a stdio server inherits of the proxy's
// environment, a first list that does not wait for the slowest server, a call to a server still
// starting, and HTTP sessions that only looked around (as the Inspector's) ending early.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { INSPECTOR } from '../helpers/clients.js';
import { ROOT } from '../helpers/paths.js';
import { childrenOf } from '../helpers/processes.js';
import { connectHttp, connectStdio, startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';
import { text } from '../helpers/results.js';
import { everything, fixture } from '../helpers/upstreams.js';
import { sleep, waitUntil } from '../helpers/wait.js';

const run = promisify(execFile);

describe('a stdio upstream’s environment', function () {
  this.timeout(60_000);

  it('inherits proxies, CAs, locale and npm settings and what inheritEnv adds, never the config’s secrets or MCPROXY_*', async () => {
    const file = writeConfig({
      inheritEnv: ['ACME_*'],
      upstreams: {
        everything: { ...everything, namespace: 'ev', env: { OWN_SETTING: 'from-env' }, inheritEnv: ['EXTRA_ONE'] },
        // Another upstream's secret, given to it alone as ${...}.
        other: { ...fixture('crashing-server'), env: { TOKEN: '${SECRET_FOR_OTHER}' } },
      },
    });
    const { client } = await connectStdio(file, {
      env: {
        HTTPS_PROXY: 'http://127.0.0.1:3128',
        no_proxy: 'localhost',
        NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt',
        LANG: 'de_DE.UTF-8',
        LC_TIME: 'C',
        TZ: 'Europe/Berlin',
        npm_config_registry: 'http://127.0.0.1:4873/',
        ACME_HOME: '/opt/acme',
        EXTRA_ONE: 'one',
        SECRET_FOR_OTHER: 'sk-not-for-everything',
        UNRELATED: 'x',
      },
    });
    try {
      const env = JSON.parse(text(await client.callTool({ name: 'ev__get-env', arguments: {} }))) as Record<string, string>;
      assert.equal(env.HTTPS_PROXY, 'http://127.0.0.1:3128');
      assert.equal(env.no_proxy, 'localhost');
      assert.equal(env.NODE_EXTRA_CA_CERTS, '/etc/ssl/certs/ca-certificates.crt');
      assert.equal(env.LANG, 'de_DE.UTF-8');
      assert.equal(env.LC_TIME, 'C');
      assert.equal(env.TZ, 'Europe/Berlin');
      assert.equal(env.npm_config_registry, 'http://127.0.0.1:4873/');
      assert.equal(env.ACME_HOME, '/opt/acme', 'top-level inheritEnv pattern');
      assert.equal(env.EXTRA_ONE, 'one', 'the upstream’s own inheritEnv');
      assert.equal(env.OWN_SETTING, 'from-env');
      assert.equal(env.SECRET_FOR_OTHER, undefined, 'a ${VAR} of the config reaches only where the config puts it');
      assert.equal(env.MCPROXY_LOG_LEVEL, undefined, 'the proxy’s own settings stay with it');
      assert.equal(env.UNRELATED, undefined, 'nothing outside the list');
    } finally {
      await client.close();
    }
  });
});

describe('an upstream slow to start', function () {
  this.timeout(90_000);
  let proxy: HttpProxy;
  before(async () => {
    proxy = await startHttpProxy(
      writeConfig({
        server: { firstListWaitMs: 1_000 },
        upstreams: {
          // Shared, and started before the tests: "ready" must not depend on how loaded the machine is.
          fast: { ...fixture('crashing-server'), shared: true },
          // legacy: under `protocol: auto` a first start's probe runs on a sibling process whose stderr the SDK discards.
          slow: { ...fixture('crashing-server', '--start-after', '7000'), protocol: 'legacy' },
        },
      }),
    );
    const warmUp = await connectHttp(proxy.url);
    await waitUntil(() => proxy.stderr().includes('[upstream=fast] connected'), 'the shared upstream to start', 20_000);
    await warmUp.client.close();
  });
  after(async () => proxy?.stop());

  it('is left out of the first list, a call to it says "still starting", the log shows its stderr, and list_changed brings it', async () => {
    const { client } = await connectHttp(proxy.url);
    let changed = 0;
    client.setNotificationHandler('notifications/tools/list_changed', () => void changed++);
    try {
      const first = (await client.listTools()).tools.map((tool) => tool.name);
      assert.ok(first.includes('fast__echo'), 'the ready upstream is listed');
      assert.ok(!first.includes('slow__echo'), 'the first list did not wait for the slow one');

      await assert.rejects(client.callTool({ name: 'slow__echo', arguments: { text: 'hi' } }), (error: Error) => {
        assert.match(error.message, /Tool slow__echo is not available yet: upstream 'slow' is still starting \(\d+ s so far\)/);
        return true;
      });
      await waitUntil(() => /\[upstream=slow\] still starting after 5 s \(last stderr: crashing-server: warming up for 7000 ms\)/.test(proxy.stderr()), 'the slow start in the log', 20_000);
      await waitUntil(() => changed > 0, 'list_changed once the slow upstream is ready', 30_000);
      const later = (await client.listTools()).tools.map((tool) => tool.name);
      assert.ok(later.includes('slow__echo'));
      assert.equal(text(await client.callTool({ name: 'slow__echo', arguments: { text: 'hi' } })), 'hi');
    } finally {
      await client.close();
    }
  });

  it('the MCP Inspector’s CLI gets the ready upstream’s tools without waiting for the slow one', async function () {
    this.timeout(300_000); // the first run on a machine downloads Node 22 and the Inspector
    const { stdout } = await run('npx', [...INSPECTOR, '--cli', proxy.url, '--method', 'tools/list'], { cwd: ROOT });
    const names = (JSON.parse(stdout) as { tools: Array<{ name: string }> }).tools.map((tool) => tool.name);
    assert.ok(names.includes('fast__echo'), `got ${names.join(', ')}`);
    assert.ok(!names.includes('slow__echo'));
  });
});

/** Long enough that a client's initialize and first call are not this far apart on a loaded machine. */
const UNUSED_IDLE_MS = 2_000;

describe('HTTP sessions that never used anything', function () {
  this.timeout(60_000);
  let proxy: HttpProxy;
  before(async () => {
    proxy = await startHttpProxy(writeConfig({ server: { sessionIdleMs: 600_000, unusedSessionIdleMs: UNUSED_IDLE_MS }, upstreams: { one: { ...fixture('crashing-server'), spares: 0 } } }));
  });
  after(async () => proxy?.stop());

  it('end after unusedSessionIdleMs with their upstream processes; a session that called a tool lives on', async () => {
    const looker = await connectHttp(proxy.url);
    await looker.client.listTools();
    const lookerId = looker.transport.sessionId!;
    await looker.client.close(); // no DELETE, as the Inspector and Claude Code

    const user = await connectHttp(proxy.url);
    assert.equal(text(await user.client.callTool({ name: 'one__echo', arguments: { text: 'hi' } })), 'hi');
    await waitUntil(() => proxy.stderr().includes(`[session=${lookerId}] session ended: idle for ${UNUSED_IDLE_MS} ms without using a tool, prompt or resource`), 'the unused session to end', 10_000);
    await waitUntil(() => childrenOf(proxy.child.pid!).length === 1, 'only the used session’s upstream process to remain', 10_000);
    await sleep(UNUSED_IDLE_MS + 200);
    assert.equal(text(await user.client.callTool({ name: 'one__echo', arguments: { text: 'still here' } })), 'still here');
    await user.client.close();
  });

  it('a 2026-07-28 client that only listed ends after unusedSessionIdleMs too; one that called a tool lives on', async () => {
    const count = (pattern: RegExp) => [...proxy.stderr().matchAll(pattern)].length;
    const opened = /\] 2026-07-28 client session opened/g;
    const ended = /\] 2026-07-28 client session ended \(idle\)/g;
    const looker = await connectHttp(proxy.url, { era: 'modern', name: 'modern-looker' });
    await looker.client.listTools();
    await looker.client.close();

    const user = await connectHttp(proxy.url, { era: 'modern', name: 'modern-user' });
    assert.equal(text(await user.client.callTool({ name: 'one__echo', arguments: { text: 'hi' } })), 'hi');
    // sessionIdleMs is 10 minutes: every 2026-07-28 client session but the user's ends unused.
    await waitUntil(() => count(opened) >= 2 && count(opened) - count(ended) === 1, 'the looking 2026-07-28 client to end', 10_000);
    await sleep(UNUSED_IDLE_MS + 200);
    assert.equal(text(await user.client.callTool({ name: 'one__echo', arguments: { text: 'still here' } })), 'still here');
    assert.equal(count(opened) - count(ended), 1, 'the 2026-07-28 client that called a tool lives on');
    await user.client.close();
  });
});
