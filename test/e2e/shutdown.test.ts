// Graceful shutdown through the real proxy process: SIGTERM/SIGINT let a call in flight finish
// within server.shutdownGraceMs, cut a longer one short with "mcproxy is shutting down" (not
// the error of an upstream killed under it), exit 0, and a second signal exits at once.
// The upstream is the crashing-server fixture's `slow` tool, over HTTP and over stdio.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectHttp, connectStdio, startHttpProxy, writeConfig } from '../helpers/proxy.js';
import { text } from '../helpers/results.js';
import { fixture } from '../helpers/upstreams.js';
import { waitUntil } from '../helpers/wait.js';
import { alive } from '../helpers/processes.js';
import { vconsIn } from '../helpers/vcons.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-shutdown-data-'));
const env = { MCPROXY_DATA_DIR: dataDir };
const config = (shutdownGraceMs: number) => writeConfig({ server: { shutdownGraceMs }, upstreams: { slowpoke: fixture('crashing-server') } });

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

describe('graceful shutdown', function () {
  this.timeout(60_000);

  it('SIGTERM (HTTP): a call in flight finishes within the grace and gets its result; then exit 0', async () => {
    const proxy = await startHttpProxy(config(20_000), [], env);
    const { client } = await connectHttp(proxy.url);
    await client.listTools();
    const call = client.callTool({ name: 'slowpoke__slow', arguments: { ms: 1_500 } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    proxy.child.kill('SIGTERM');
    const result = await call;
    assert.match(text(result), /maxConcurrent/, 'the call in flight got its real result');
    assert.deepEqual(await exited(proxy.child), { code: 0, signal: null });
    assert.match(proxy.stderr(), /SIGTERM: shutting down/);
    assert.match(proxy.stderr(), /waiting up to 20000 ms for 1 call\(s\) in flight/);
  });

  it('SIGTERM (HTTP): a call longer than the grace is ended with "mcproxy is shutting down"; new sessions are refused meanwhile; the vCon is finalized; exit 0', async () => {
    const vcons = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-shutdown-vcons-'));
    const proxy = await startHttpProxy(writeConfig({ server: { shutdownGraceMs: 1_500 }, vcon: { dir: vcons }, upstreams: { slowpoke: fixture('crashing-server') } }), [], env);
    const { client } = await connectHttp(proxy.url);
    await client.listTools();
    const call = client.callTool({ name: 'slowpoke__slow', arguments: { ms: 25_000 } });
    await new Promise((resolve) => setTimeout(resolve, 500));
    proxy.child.kill('SIGTERM');
    await waitUntil(() => /SIGTERM: shutting down/.test(proxy.stderr()), 'the shutdown to begin');
    await assert.rejects(connectHttp(proxy.url), 'no new session once shutting down');
    await assert.rejects(call, (error: Error) => {
      assert.match(error.message, /mcproxy is shutting down/);
      assert.doesNotMatch(error.message, /exited with code|closed the connection/);
      return true;
    });
    assert.deepEqual(await exited(proxy.child), { code: 0, signal: null });
    assert.match(proxy.stderr(), /cancelling 1 call\(s\) still in flight after 1500 ms/);
    const [vcon] = vconsIn(vcons);
    assert.ok(vcon, 'the session was recorded');
    assert.match(JSON.stringify(vcon), /mcproxy is shutting down/, 'with the error the client got');
  });

  it('SIGINT (stdio, the Ctrl-C case): the client hears "mcproxy is shutting down", not the upstream\'s exit code', async () => {
    const { client, pid, transport } = await connectStdio(config(500), { env });
    await client.listTools();
    const call = client.callTool({ name: 'slowpoke__slow', arguments: { ms: 25_000 } });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const proxyPid = pid()!;
    process.kill(proxyPid, 'SIGINT');
    await assert.rejects(call, (error: Error) => {
      assert.match(error.message, /mcproxy is shutting down/);
      assert.doesNotMatch(error.message, /143|exited/);
      return true;
    });
    await waitUntil(() => transport.pid === null || !alive(proxyPid), 'the stdio proxy to exit', 10_000);
  });

  it('a second signal exits at once, with 128 + the signal number', async () => {
    const proxy = await startHttpProxy(config(60_000), [], env);
    const { client } = await connectHttp(proxy.url);
    await client.listTools();
    void client.callTool({ name: 'slowpoke__slow', arguments: { ms: 60_000 } }).catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 500));
    proxy.child.kill('SIGTERM');
    await waitUntil(() => /waiting up to 60000 ms/.test(proxy.stderr()), 'the shutdown to wait for the call');
    proxy.child.kill('SIGTERM');
    assert.deepEqual(await exited(proxy.child), { code: 143, signal: null });
    assert.match(proxy.stderr(), /SIGTERM again: exiting now/);
  });
});
