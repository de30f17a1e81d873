// Process hygiene: a stdio upstream runs in its own process group, and the whole group (an
// npx-style wrapper's grandchildren included) ends with its session, and with the proxy even
// when the proxy is killed by SIGKILL.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { alive, waitFor } from '../helpers/processes.js';
import { connectHttp, connectStdio, startHttpProxy, writeConfig } from '../helpers/proxy.js';
import { fixture } from '../helpers/upstreams.js';

/** A config whose one upstream is the wrapper fixture; and the pids it will report. */
function wrapperConfig(): { file: string; pids(): { server: number; helper: number } } {
  const pidFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'mcproxy-wrapper-')), 'pids.json');
  const file = writeConfig({ upstreams: { wrapped: fixture('wrapper-server', '--pid-file', pidFile) } });
  return {
    file,
    pids: () => {
      assert.ok(existsSync(pidFile), 'the wrapper started');
      return JSON.parse(readFileSync(pidFile, 'utf8'));
    },
  };
}

const groupOf = (pid: number) => Number(execFileSync('ps', ['-o', 'pgid=', '-p', String(pid)], { encoding: 'utf8' }).trim());

describe('process hygiene of stdio upstreams', function () {
  it('runs the upstream in its own process group, and ends all of it when its HTTP session ends', async () => {
    const { file, pids } = wrapperConfig();
    const proxy = await startHttpProxy(file);
    try {
      const { client, transport } = await connectHttp(proxy.url);
      assert.ok((await client.listTools()).tools.some((tool) => tool.name === 'wrapped__add-tool'));
      const { server, helper } = pids();
      assert.ok(alive(server) && alive(helper));
      assert.notEqual(groupOf(helper), groupOf(proxy.child.pid!), 'not in the proxy’s process group');
      await transport.terminateSession();
      await client.close();
      assert.ok(await waitFor(() => !alive(server) && !alive(helper)), 'the wrapper’s helper is gone with the session');
      assert.equal(proxy.child.exitCode, null, 'the proxy keeps running');
    } finally {
      await proxy.stop();
    }
  });

  it('ends the upstream’s whole group when the proxy is killed with SIGKILL, also one its launch plan started before the rest of it loaded', async () => {
    const { file, pids } = wrapperConfig();
    // The relaunch finds the plan the first launch kept (cli/launchPlan.ts, transports/earlyChildren.ts).
    const env = { MCPROXY_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'mcproxy-hygiene-')) };
    for (const launch of ['first launch', 'relaunch']) {
      const { client, pid } = await connectStdio(file, { env });
      await client.listTools();
      const { server, helper } = pids();
      const proxyPid = pid()!;
      process.kill(proxyPid, 'SIGKILL');
      assert.ok(await waitFor(() => !alive(proxyPid)));
      assert.ok(await waitFor(() => !alive(server) && !alive(helper)), `no upstream process outlives a killed proxy (${launch})`);
      await client.close().catch(() => {});
    }
  });
});
