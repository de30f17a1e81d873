// Health, readiness, metrics and status end to end: the real proxy process in front of
// server-everything and a fixture upstream that never starts, real HTTP on 127.0.0.1, the real
// SDK client, and `mcproxy status` run as a user runs it.
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { StatusReport } from '../../src/ops/statusReport.js';
import { postJsonRpc, rawSession, sessionHeaders } from '../helpers/jsonrpc.js';
import { CLI, ROOT } from '../helpers/paths.js';
import { parsePrometheus, sampleOf } from '../helpers/prometheus.js';
import { connectHttp, startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';
import { text } from '../helpers/results.js';
import { everything, fixture } from '../helpers/upstreams.js';
import { runCli } from '../helpers/vcons.js';
import { waitUntil } from '../helpers/wait.js';

// Two failed starts and the restart policy gives up on it: `failed`, for good.
const broken = { ...fixture('crashing-server', '--never-start', 'exit'), required: true, restart: { maxFailures: 2, initialDelayMs: 50 } };

async function scrape(base: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}/metrics`, { headers });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await response.text());
}

describe('operations: health, readiness, metrics, status', function () {
  this.timeout(60_000);

  describe('beside the MCP path of the HTTP listener', () => {
    let proxy: HttpProxy;
    let base: string;
    before(async () => {
      proxy = await startHttpProxy(writeConfig({ upstreams: { ev: { ...everything, required: true }, broken } }));
      base = new URL(proxy.url).origin;
    });
    after(async () => proxy?.stop());

    it('answers /healthz, and /readyz: ready while no session needed the upstreams (idle), 503 naming the required upstream that failed', async () => {
      const health = await fetch(`${base}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok' });
      const idle = (await (await fetch(`${base}/status.json`)).json()) as StatusReport;
      assert.deepEqual(idle.upstreams.map((u) => [u.name, u.state]), [['ev', 'idle'], ['broken', 'idle']]);
      assert.equal((await fetch(`${base}/readyz`)).status, 200, 'nothing says an idle upstream is down');
      const { client, transport } = await connectHttp(proxy.url);
      try {
        await client.listTools();
        const readiness = async () => (await (await fetch(`${base}/readyz`)).json()) as { status: string; down?: { name: string; state: string; lastError?: string }[] };
        await waitUntil(async () => (await readiness()).down?.[0]?.state === 'failed', '/readyz to see the broken upstream failed', 15_000);
        const response = await fetch(`${base}/readyz`);
        assert.equal(response.status, 503);
        const body = (await response.json()) as { status: string; down: { name: string; state: string; lastError?: string }[] };
        assert.equal(body.status, 'not ready');
        assert.deepEqual(body.down.map((d) => d.name), ['broken']);
        assert.equal(body.down[0].state, 'failed');
        assert.match(body.down[0].lastError ?? '', /refusing to start/);
        assert.equal((await fetch(`${base}/healthz`)).status, 200, 'liveness does not depend on upstreams');
      } finally {
        await transport.terminateSession().catch(() => {});
        await client.close();
      }
    });

    it('serves /metrics in the Prometheus text format, its counters moving with calls', async () => {
      const { client, transport } = await connectHttp(proxy.url);
      try {
        await client.listTools();
        const before = await scrape(base);
        for (const message of ['one', 'two', 'three']) assert.equal(text(await client.callTool({ name: 'ev__echo', arguments: { message } })), `Echo: ${message}`);
        await assert.rejects(client.callTool({ name: 'broken__echo', arguments: { text: 'x' } }));
        const after = await scrape(base);

        const ok = { method: 'tools/call', upstream: 'ev', outcome: 'ok' };
        assert.equal(sampleOf(after, 'mcproxy_upstream_requests_total', ok) - sampleOf(before, 'mcproxy_upstream_requests_total', ok), 3);
        const latency = { method: 'tools/call', upstream: 'ev' };
        assert.equal(sampleOf(after, 'mcproxy_upstream_request_duration_seconds_count', latency) - sampleOf(before, 'mcproxy_upstream_request_duration_seconds_count', latency), 3);
        assert.equal(sampleOf(after, 'mcproxy_upstream_request_duration_seconds_bucket', { ...latency, le: '+Inf' }), sampleOf(after, 'mcproxy_upstream_request_duration_seconds_count', latency));
        const clientOk = { method: 'tools/call', outcome: 'ok' };
        assert.equal(sampleOf(after, 'mcproxy_client_requests_total', clientOk) - sampleOf(before, 'mcproxy_client_requests_total', clientOk), 3);
        // The broken upstream's tool is unknown (it never listed any): a client-side error.
        const clientError = { method: 'tools/call', outcome: 'error' };
        assert.equal(sampleOf(after, 'mcproxy_client_requests_total', clientError) - sampleOf(before, 'mcproxy_client_requests_total', clientError), 1);
        assert.equal(after.types.get('mcproxy_upstream_request_duration_seconds'), 'histogram');
        assert.ok(sampleOf(after, 'mcproxy_sessions_active') >= 1);
        assert.equal(sampleOf(after, 'mcproxy_upstream_up', { upstream: 'ev' }), 1);
        assert.equal(sampleOf(after, 'mcproxy_upstream_up', { upstream: 'broken' }), 0);
        // It retries with backoff: down, or starting again at the moment of the scrape.
        const brokenState = (state: string) => sampleOf(after, 'mcproxy_upstream_state', { upstream: 'broken', state });
        assert.equal(brokenState('down') + brokenState('starting') + brokenState('failed'), 1);
        assert.equal(brokenState('up') + brokenState('idle'), 0);
        assert.equal(sampleOf(after, 'mcproxy_upstream_queue_depth', { upstream: 'ev' }), 0);
        assert.ok(sampleOf(after, 'mcproxy_upstream_restarts_total', { upstream: 'broken' }) >= 0);
        const received = (m: typeof after) => sampleOf(m, 'mcproxy_client_bytes_received_total', { transport: 'http' });
        const sent = (m: typeof after) => sampleOf(m, 'mcproxy_client_bytes_sent_total', { transport: 'http' });
        assert.ok(received(after) > received(before) && sent(after) > sent(before), 'bytes in and out grow with calls');
      } finally {
        await transport.terminateSession().catch(() => {});
        await client.close();
      }
    });

    it('counts methods a client makes up as `other`: a client cannot add a series per name', async () => {
      const sessionId = await rawSession(proxy.url);
      const before = await scrape(base);
      for (const method of ['made/up-1', 'made/up-2']) {
        const response = await postJsonRpc(proxy.url, { jsonrpc: '2.0', id: method, method }, sessionHeaders(sessionId));
        assert.match(await response.text(), /"code":-32601/);
      }
      const after = await scrape(base);
      const other = { method: 'other', outcome: 'error' };
      assert.equal(sampleOf(after, 'mcproxy_client_requests_total', other) - sampleOf(before, 'mcproxy_client_requests_total', other), 2);
      const series = [...after.samples.keys()].filter((key) => key.startsWith('mcproxy_client_requests_total'));
      assert.ok(!series.some((key) => key.includes('made/up')), series.join('\n'));
      await fetch(proxy.url, { method: 'DELETE', headers: sessionHeaders(sessionId) });
    });

    it('`mcproxy status --url` prints each upstream with state, tools, calls and latency; exit 4 while a required one is down', async () => {
      const { client, transport } = await connectHttp(proxy.url);
      try {
        await client.callTool({ name: 'ev__echo', arguments: { message: 'for status' } });
        const { code, stdout, stderr } = await runCli(['status', '--url', proxy.url]);
        assert.equal(code, 4, stderr);
        const lines = stdout.split('\n');
        assert.match(lines[0], /^mcproxy \S+ \(pid \d+, http\), up \d+/);
        assert.match(lines[0], /[1-9]\d* session\(s\)/);
        assert.match(stdout, /^UPSTREAM\s+STATE\s+FOR\s+RESTARTS\s+TOOLS\s+CALLS\s+ERRORS\s+P50 MS\s+P95 MS$/m);
        const ev = lines.find((line) => line.startsWith('ev*'));
        assert.ok(ev, stdout);
        const [, state, , restarts, tools, calls, errors, p50, p95] = ev.split(/\s{2,}/);
        assert.equal(state, 'up');
        assert.equal(restarts, '0');
        assert.ok(Number(tools) > 5, `server-everything lists its tools: ${ev}`);
        assert.ok(Number(calls) >= 4 && errors === '0', ev);
        assert.ok(Number(p50) > 0 && Number(p95) >= Number(p50), ev);
        assert.match(stdout, /^broken\*\s+(down|starting|failed)\s/m);
        assert.match(stdout, /NOT READY: broken \((down|starting|failed)\)/);

        const json = await runCli(['status', '--json', '--url', `${new URL(proxy.url).origin}/status.json`]);
        const report = JSON.parse(json.stdout) as StatusReport;
        assert.deepEqual(report.notReady, ['broken']);
        assert.equal(report.upstreams.find((u) => u.name === 'ev')!.recent.length, report.upstreams.find((u) => u.name === 'ev')!.calls);
      } finally {
        await transport.terminateSession().catch(() => {});
        await client.close();
      }
    });

    it('`mcproxy status --watch` prints again until stopped', async () => {
      const child = spawn(process.execPath, [CLI, 'status', '--watch', '--url', proxy.url], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      try {
        await waitUntil(() => (out.match(/^UPSTREAM /gm) ?? []).length >= 2, 'two frames', 20_000);
        assert.equal(child.exitCode, null, 'still watching');
      } finally {
        child.kill('SIGTERM');
      }
    });

    it('`mcproxy status` tells when nothing answers', async () => {
      const { code, stderr } = await runCli(['status', '--url', 'http://127.0.0.1:1']);
      assert.equal(code, 1);
      assert.match(stderr, /mcproxy status: cannot reach http:\/\/127\.0\.0\.1:1/);
    });
  });

  it('follows a reload: a removed upstream leaves /readyz, /status.json and /metrics; a changed `required` counts at once', async () => {
    const file = writeConfig({ upstreams: { ev: everything, broken } });
    const proxy = await startHttpProxy(file);
    const base = new URL(proxy.url).origin;
    const reload = async (config: unknown, summary: RegExp) => {
      writeFileSync(file, stringify(config));
      proxy.child.kill('SIGHUP');
      await waitUntil(() => summary.test(proxy.stderr()), 'the reload', 15_000);
    };
    const { client, transport } = await connectHttp(proxy.url);
    try {
      await client.listTools();
      await waitUntil(async () => (await fetch(`${base}/readyz`)).status === 503, '/readyz to see the broken upstream failed', 15_000);
      assert.equal(sampleOf(await scrape(base), 'mcproxy_upstream_up', { upstream: 'broken' }), 0);

      await reload({ upstreams: { ev: { ...everything, required: true } } }, /reload \(SIGHUP\): .*broken/);
      assert.equal((await fetch(`${base}/readyz`)).status, 200);
      const report = (await (await fetch(`${base}/status.json`)).json()) as StatusReport;
      assert.deepEqual(report.upstreams.map((u) => [u.name, u.required]), [['ev', true]]);
      const metrics = await scrape(base);
      const stale = [...metrics.samples.keys()].filter((key) => /^mcproxy_upstream_(up|state|queue_depth|restarts_total)\{/.test(key) && key.includes('upstream="broken"'));
      assert.deepEqual(stale, [], 'no stale series for the removed upstream');
      assert.equal(sampleOf(metrics, 'mcproxy_upstream_up', { upstream: 'ev' }), 1);
    } finally {
      await transport.terminateSession().catch(() => {});
      await client.close();
      await proxy.stop();
    }
  });

  it('serves them on server.admin in stdio mode, behind the MCP endpoint\'s API keys', async () => {
    const KEY = 'admin-test-key-0123456789';
    const config = writeConfig({
      server: { admin: { port: 0 }, auth: { apiKeys: ['${ADMIN_KEY}'] } },
      upstreams: { ev: everything },
    });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, '--config', config],
      cwd: ROOT,
      stderr: 'pipe',
      env: { ...process.env, MCPROXY_LOG_LEVEL: 'info', ADMIN_KEY: KEY } as Record<string, string>,
    });
    let stderr = '';
    transport.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: 'admin-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      await waitUntil(() => /admin endpoints on (http:\/\/\S+)/.test(stderr), 'the admin listener', 15_000);
      const admin = /admin endpoints on (http:\/\/\S+)/.exec(stderr)![1];
      assert.equal((await fetch(`${admin}/metrics`)).status, 401);
      assert.equal((await fetch(`${admin}/healthz`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
      const auth = { authorization: `Bearer ${KEY}` };
      assert.equal(text(await client.callTool({ name: 'ev__echo', arguments: { message: 'over stdio' } })), 'Echo: over stdio');
      const metrics = await scrape(admin, auth);
      assert.equal(sampleOf(metrics, 'mcproxy_upstream_requests_total', { method: 'tools/call', upstream: 'ev', outcome: 'ok' }), 1);
      assert.equal(sampleOf(metrics, 'mcproxy_sessions_active'), 1);
      assert.ok(sampleOf(metrics, 'mcproxy_client_bytes_received_total', { transport: 'stdio' }) > 0);
      assert.equal((await fetch(`${admin}/readyz`, { headers: auth })).status, 200);
      assert.equal((await fetch(`${admin}/mcp`, { headers: auth })).status, 404, 'the admin listener serves no MCP');
      const status = await runCli(['status', '--url', admin], { MCPROXY_API_KEY: KEY });
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /\(pid \d+, stdio\).*1 session\(s\)/);
      assert.match(status.stdout, /^ev\s+up\s/m);
      assert.doesNotMatch(stderr, new RegExp(KEY), 'the key never appears in the logs');
    } finally {
      await client.close();
    }
  });
});
