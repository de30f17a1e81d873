// The fast lane (src/session/fastLane.ts): tools/call from a 2025-11-25 stdio client to a
// 2025-11-25 stdio upstream, forwarded as raw JSON-RPC. What only this path could break:
// that calls really take it (the upstream sees the lane's negative ids), that ids map back
// under concurrency, that pinned arguments, cancellation, the upstream's timeout, a crash
// mid-call and a server→client request during a call all behave as on the SDK path. One
// real proxy process, the real SDK client, real upstream processes (server-everything and
// fixtures, pinned to 2025-11-25 with `protocol: legacy`).
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, ROOT } from '../helpers/paths.js';
import { parsePrometheus, sampleOf } from '../helpers/prometheus.js';
import { connectHttp, startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';
import { text } from '../helpers/results.js';
import { everything, fixture } from '../helpers/upstreams.js';
import { untilAnswered, waitUntil } from '../helpers/wait.js';
import { vconsIn } from '../helpers/vcons.js';

const TIMEOUT_MS = 3_000;

describe('the fast lane: stdio client → stdio upstream tools/call', function () {
  this.timeout(60_000);
  const recordFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'mcproxy-lane-')), 'requests.jsonl');
  const recorded = (): Array<{ method?: string; params?: { name?: string; arguments?: Record<string, unknown> }; id?: unknown }> =>
    existsSync(recordFile) ? readFileSync(recordFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)) : [];
  let client: Client;
  let stderr = '';
  const sampled: unknown[] = [];

  before(async () => {
    const config = writeConfig({
      server: { pageSize: 5 },
      upstreams: {
        rec: { ...fixture('recording-server', '--record', recordFile), protocol: 'legacy', tools: { arguments: { scoped: { root: '/pinned' } } } },
        chg: { ...fixture('changing-tools-server'), protocol: 'legacy', timeoutMs: TIMEOUT_MS },
        crashy: { ...fixture('crashing-server'), protocol: 'legacy' },
        hostile: { ...fixture('hostile-server'), protocol: 'legacy' },
        ev: everything,
      },
    });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, '--config', config],
      cwd: ROOT,
      stderr: 'pipe',
      env: { ...process.env, MCPROXY_LOG_LEVEL: 'info' } as Record<string, string>,
    });
    transport.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    client = new Client({ name: 'fast-lane-test', version: '1.0.0' }, { capabilities: { sampling: {} } });
    client.setRequestHandler('sampling/createMessage', async (request) => {
      sampled.push(request.params);
      return { role: 'assistant', content: { type: 'text', text: 'sampled answer' }, model: 'test-model' };
    });
    await client.connect(transport);
    // Errors as they came on the wire, before the SDK Client reads them (it takes -32002 and -32602 alike).
    const decode = transport.onmessage!;
    transport.onmessage = (message) => {
      if ('error' in message) wireErrors.push(message.error);
      decode(message);
    };
  });
  const wireErrors: unknown[] = [];
  after(async () => client?.close());

  it('takes the calls (the upstream sees its own ids), maps 16 concurrent answers back, injects pinned arguments', async () => {
    const texts = await Promise.all(Array.from({ length: 16 }, (_, i) => client.callTool({ name: 'rec__public', arguments: { text: `call ${i}` } }).then(text)));
    assert.deepEqual(texts, Array.from({ length: 16 }, (_, i) => `public: call ${i}`));
    assert.deepEqual(JSON.parse(text(await client.callTool({ name: 'rec__scoped', arguments: { q: 'x', root: '/etc' } }))), { q: 'x', root: '/pinned' });

    const calls = recorded().filter((r) => r.method === 'tools/call');
    assert.equal(calls.length, 17);
    const ids = calls.map((r) => r.id as number);
    assert.ok(ids.every((id) => Number.isInteger(id) && id < 0), `the lane's ids are negative (the SDK's never are): ${ids.join(', ')}`);
    assert.equal(new Set(ids).size, 17, 'one id per call');
    assert.deepEqual(calls.at(-1)!.params!.arguments, { q: 'x', root: '/pinned' });
    assert.doesNotMatch(stderr, /unknown message ID|protocol error/i, 'the SDK client never saw the lane’s answers');
  });

  it('pages lists by the cursors it gives, the same each time, and refuses a cursor it did not give', async () => {
    const all = async () => {
      const names: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        // (listTools() without a cursor would fetch every page itself.)
        const page = (await client.request({ method: 'tools/list', params: cursor === undefined ? {} : { cursor } } as never)) as { tools: Array<{ name: string }>; nextCursor?: string };
        names.push(...page.tools.map((tool) => tool.name));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== undefined);
      return { names, pages };
    };
    const first = await all();
    assert.ok(first.pages > 3, `${first.pages} pages of 5`);
    assert.equal(new Set(first.names).size, first.names.length, 'no tool twice');
    for (const name of ['rec__public', 'rec__scoped', 'chg__sleep', 'crashy__crash', 'ev__echo']) assert.ok(first.names.includes(name), name);
    assert.deepEqual(await all(), first);
    await assert.rejects(client.listTools({ cursor: 'not-ours' }), (error: Error & { code?: number }) => error.code === -32602 && /Invalid cursor for tools/.test(error.message));
  });

  it('hands large results back intact, each to its own call', async () => {
    const messages = ['a', 'b', 'c'].map((fill, i) => `${i}:${fill.repeat(200_000)}é`);
    const echoed = await Promise.all(messages.map((message) => client.callTool({ name: 'ev__echo', arguments: { message } }).then(text)));
    assert.deepEqual(echoed, messages.map((message) => `Echo: ${message}`));
  });

  it('answers unknown tools and upstream errors as the SDK path does', async () => {
    await assert.rejects(client.callTool({ name: 'rec__nope', arguments: {} }), /Unknown tool: rec__nope/);
    const invalid = await client.callTool({ name: 'ev__echo', arguments: {} });
    assert.equal(invalid.isError, true);
    assert.match(text(invalid), /Invalid arguments for tool echo/);
  });

  it('relays an upstream’s protocol error with the code, message and data the SDK path gives it (-32002 goes out as -32602)', async () => {
    const failure = async (viaSdk: boolean) => {
      const call = client.callTool({ name: 'hostile__misbehave', arguments: { mode: 'not-found' } }, viaSdk ? { onprogress: () => {} } : undefined);
      await assert.rejects(call, /Resource not found: hostile:\/\/nothing/);
      return wireErrors.at(-1);
    };
    const lane = await failure(false);
    assert.deepEqual(lane, await failure(true));
    assert.deepEqual(lane, { code: -32602, message: 'Resource not found: hostile://nothing', data: { uri: 'hostile://nothing' } });
  });

  it('passes the client’s cancellation to the upstream under the upstream’s id', async () => {
    const before = JSON.parse(text(await client.callTool({ name: 'chg__cancellations', arguments: {} }))) as unknown[];
    const controller = new AbortController();
    const call = client.callTool({ name: 'chg__sleep', arguments: { ms: 30_000 } }, { signal: controller.signal });
    // Answered after the upstream read the sleep (one pipe, in order): the sleep is under way there.
    await client.callTool({ name: 'chg__cancellations', arguments: {} });
    controller.abort('changed my mind');
    await assert.rejects(call);
    let cancellations: Array<{ ms: number; reason: unknown }> = [];
    await waitUntil(async () => {
      cancellations = JSON.parse(text(await client.callTool({ name: 'chg__cancellations', arguments: {} })));
      return cancellations.length > before.length;
    }, 'the upstream to see notifications/cancelled');
    const cancelled = cancellations.at(-1)!;
    assert.equal(cancelled.ms, 30_000);
    assert.match(String(cancelled.reason), /changed my mind/);
  });

  it('ends a call the upstream does not answer within timeoutMs, with the same error, and tells the upstream', async () => {
    const before = (JSON.parse(text(await client.callTool({ name: 'chg__cancellations', arguments: {} }))) as unknown[]).length;
    await assert.rejects(client.callTool({ name: 'chg__sleep', arguments: { ms: 20_000 } }, { timeout: 30_000 }), (error: Error & { code?: number; data?: unknown }) => {
      assert.equal(error.code, -32001);
      assert.match(error.message, new RegExp(`Upstream 'chg' did not answer tools/call within ${TIMEOUT_MS} ms`));
      assert.deepEqual(error.data, { upstream: 'chg' });
      return true;
    });
    await waitUntil(async () => (JSON.parse(text(await client.callTool({ name: 'chg__cancellations', arguments: {} }))) as unknown[]).length > before, 'the upstream to hear it was cancelled');
  });

  it('carries a server→client request (sampling) during a call, beside other calls', async () => {
    const [sampling, ...echoes] = await Promise.all([
      client.callTool({ name: 'ev__trigger-sampling-request', arguments: { prompt: 'hello', maxTokens: 5 } }),
      ...Array.from({ length: 4 }, (_, i) => client.callTool({ name: 'ev__echo', arguments: { message: `m${i}` } })),
    ]);
    assert.match(JSON.stringify(sampling), /sampled answer/);
    assert.equal(sampled.length, 1);
    assert.deepEqual(echoes.map(text), ['Echo: m0', 'Echo: m1', 'Echo: m2', 'Echo: m3']);
  });

  it('fails a call in flight when the upstream crashes, as the SDK path words it, and serves again', async () => {
    await assert.rejects(client.callTool({ name: 'crashy__crash', arguments: {} }), (error: Error & { code?: number }) => {
      assert.equal(error.code, -32000);
      assert.match(error.message, /Upstream 'crashy' closed the connection during tools\/call: .*code 1/);
      return true;
    });
    const back = await untilAnswered(() => client.callTool({ name: 'crashy__echo', arguments: { text: 'back' } }), 'crashy to serve again', 20_000);
    assert.equal(text(back), 'back');
  });
});

// A 2026-07-28 client (no initialize; protocol version, client info and capabilities in each
// request's `_meta`): its calls take the lane too once the SDK path has accepted its envelope
// (session/modernLane.ts), and must come back in that era's shape.
describe('the fast lane: a 2026-07-28 stdio client → stdio upstream tools/call', function () {
  this.timeout(60_000);
  const recordFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'mcproxy-lane-modern-')), 'requests.jsonl');
  const recordedCalls = (): Array<{ params?: Record<string, unknown>; id?: unknown }> =>
    existsSync(recordFile) ? readFileSync(recordFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)).filter((r) => r.method === 'tools/call') : [];
  let client: Client;

  before(async () => {
    const config = writeConfig({
      server: { name: 'lane-proxy' },
      // No resources exposed: no result URI to rewrite, so results that need nothing else can be spliced as bytes.
      upstreams: {
        rec: { ...fixture('recording-server', '--record', recordFile), protocol: 'legacy', resources: { allow: [] } },
        ev: { ...everything, resources: { allow: [] } },
        odd: { ...fixture('odd-fields-server'), protocol: 'legacy', resources: { allow: [] } },
      },
    });
    client = new Client({ name: 'fast-lane-modern-test', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, '--config', config], cwd: ROOT, stderr: 'ignore' });
    await client.connect(transport);
    // The answers as they came on the wire, before the SDK Client decodes them.
    const decode = transport.onmessage!;
    transport.onmessage = (message) => {
      if ('result' in message || 'error' in message) answers.push(message);
      decode(message);
    };
  });
  const answers: Array<{ result?: unknown; error?: unknown }> = [];
  after(async () => client?.close());

  it('takes its calls without the envelope upstream, maps 16 concurrent answers back, and answers with mcproxy’s serverInfo', async () => {
    await client.callTool({ name: 'rec__public', arguments: { text: 'first' } }); // the SDK path accepts the envelope
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => client.callTool({ name: 'rec__public', arguments: { text: `call ${i}` } })));
    assert.deepEqual(results.map(text), Array.from({ length: 16 }, (_, i) => `public: call ${i}`));
    for (const result of results) assert.equal((result._meta?.['io.modelcontextprotocol/serverInfo'] as { name?: string } | undefined)?.name, 'lane-proxy');
    const calls = recordedCalls();
    assert.equal(calls.length, 17);
    const laneIds = calls.slice(1).map((call) => call.id as number);
    assert.ok(laneIds.every((id) => Number.isInteger(id) && id < 0), `the lane's ids are negative: ${laneIds.join(', ')}`);
    assert.ok(calls.every((call) => call.params?._meta === undefined), 'a 2025-11-25 upstream gets no 2026-07-28 envelope');
  });

  it('answers what a 2025-11-25 upstream returns as the SDK path does (spliced as bytes or parsed): with and without `_meta`, structuredContent, isError, unknown keys', async () => {
    // The wire answer to a call: the lane's, or the SDK path's (a progress token takes that path).
    const wire = async (params: { name: string; arguments: Record<string, unknown> }, viaSdk: boolean) => {
      await client.callTool(params, viaSdk ? { onprogress: () => {} } : undefined).catch(() => {});
      const { result, error } = answers.at(-1)!;
      return { result, error };
    };
    for (const params of [
      { name: 'ev__echo', arguments: { message: 'plain' } },
      { name: 'ev__echo', arguments: { message: 'a backslash and u: \\u0041, "_meta" quoted, \u00e9' } },
      { name: 'ev__echo', arguments: { message: 'a control character: \u0001' } }, // written as a \u escape: parsed
      { name: 'ev__echo', arguments: {} }, // isError: true, the upstream's own input validation
      { name: 'ev__get-structured-content', arguments: { location: 'Chicago' } },
      { name: 'odd__odd-tool', arguments: {} }, // its own `_meta`, structuredContent, unknown keys
      { name: 'odd__future-tool', arguments: {} },
    ]) {
      const lane = await wire(params, false);
      assert.ok(lane.result, `${params.name}: a result`);
      assert.deepEqual(lane, await wire(params, true), params.name);
    }
  });

  it('fails a call whose upstream asks for sampling the request did not declare, as the SDK path does (-32021)', async () => {
    await client.callTool({ name: 'ev__echo', arguments: { message: 'warm' } });
    await assert.rejects(client.callTool({ name: 'ev__trigger-sampling-request', arguments: { prompt: 'hello', maxTokens: 5 } }), (error: Error & { code?: number }) => {
      assert.equal(error.code, -32021);
      assert.match(error.message, /Upstream 'ev' asked for sampling\/createMessage during the call, but the request's client capabilities do not declare 'sampling'/);
      return true;
    });
    assert.equal(text(await client.callTool({ name: 'ev__echo', arguments: { message: 'after' } })), 'Echo: after');
  });
});

// A Streamable HTTP session's calls take the lane too, through the SDK's HTTP transport (which
// keeps the POST's stream, its event ids and the session's bookkeeping); a call whose request
// carries W3C trace headers does not: the tracing filters pass them on.
describe('the fast lane: Streamable HTTP sessions → stdio upstream tools/call', function () {
  this.timeout(60_000);
  const recordFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'mcproxy-lane-http-')), 'requests.jsonl');
  const recordedCalls = (): Array<{ params?: { arguments?: { text?: string }; _meta?: Record<string, unknown> }; id?: unknown }> =>
    existsSync(recordFile) ? readFileSync(recordFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)).filter((r) => r.method === 'tools/call') : [];
  let proxy: HttpProxy;
  const clients: Client[] = [];

  before(async () => {
    proxy = await startHttpProxy(
      // No resources exposed: no result URI to rewrite, so the lane may pass results on as bytes.
      writeConfig({
        upstreams: {
          rec: { ...fixture('recording-server', '--record', recordFile), protocol: 'legacy', shared: true, resources: { allow: [] } },
          ev: { ...everything, shared: true, resources: { allow: [] } },
        },
      }),
    );
    for (let i = 0; i < 2; i++) clients.push((await connectHttp(proxy.url)).client);
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await proxy?.stop();
  });

  it('takes two sessions’ concurrent calls, answers each on its own POST, and counts them in /metrics', async () => {
    const metrics = async () => parsePrometheus(await (await fetch(new URL('/metrics', proxy.url))).text());
    await clients[0].callTool({ name: 'rec__public', arguments: { text: 'warm' } });
    const before = await metrics();
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => clients[i % 2].callTool({ name: 'rec__public', arguments: { text: `call ${i}` } }).then(text)));
    assert.deepEqual(results, Array.from({ length: 16 }, (_, i) => `public: call ${i}`));
    const ids = recordedCalls().filter((call) => call.params?.arguments?.text?.startsWith('call ')).map((call) => call.id as number);
    assert.equal(ids.length, 16);
    assert.ok(ids.every((id) => Number.isInteger(id) && id < 0), `the lane's ids are negative: ${ids.join(', ')}`);
    // The request filters ran around the lane's calls: client side and upstream side.
    const after = await metrics();
    const counted = (name: string, labels: Record<string, string>) => sampleOf(after, name, labels) - sampleOf(before, name, labels);
    assert.equal(counted('mcproxy_client_requests_total', { method: 'tools/call', outcome: 'ok' }), 16);
    assert.equal(counted('mcproxy_upstream_requests_total', { method: 'tools/call', upstream: 'rec', outcome: 'ok' }), 16);
  });

  it('counts what it answers as the upstream wrote it by its outcome: a success as ok, a tool error as tool_error', async () => {
    const metrics = async () => parsePrometheus(await (await fetch(new URL('/metrics', proxy.url))).text());
    await clients[0].callTool({ name: 'ev__echo', arguments: { message: 'warm' } });
    const before = await metrics();
    assert.equal(text(await clients[0].callTool({ name: 'ev__echo', arguments: { message: 'as bytes' } })), 'Echo: as bytes');
    // server-everything answers arguments its schema refuses with a tool error (isError: true).
    const failed = await clients[1].callTool({ name: 'ev__get-sum', arguments: { a: 'one', b: 2 } });
    assert.equal(failed.isError, true);
    const after = await metrics();
    for (const [name, extra] of [['mcproxy_client_requests_total', {}], ['mcproxy_upstream_requests_total', { upstream: 'ev' }]] as const) {
      const counted = (outcome: string) => sampleOf(after, name, { method: 'tools/call', ...extra, outcome }) - sampleOf(before, name, { method: 'tools/call', ...extra, outcome });
      assert.deepEqual([counted('ok'), counted('tool_error')], [1, 1], name);
    }
    const latency = { method: 'tools/call', upstream: 'ev' };
    assert.equal(sampleOf(after, 'mcproxy_upstream_request_duration_seconds_count', latency) - sampleOf(before, 'mcproxy_upstream_request_duration_seconds_count', latency), 2);
  });

  it('leaves a call with trace headers to the SDK path, which passes its trace context upstream', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const transport = new StreamableHTTPClientTransport(new URL(proxy.url), { requestInit: { headers: { traceparent } } });
    const traced = new Client({ name: 'traced', version: '1.0.0' });
    await traced.connect(transport);
    try {
      assert.equal(text(await traced.callTool({ name: 'rec__public', arguments: { text: 'traced' } })), 'public: traced');
    } finally {
      await traced.close();
    }
    const call = recordedCalls().find((recorded) => recorded.params?.arguments?.text === 'traced');
    assert.ok(call && (call.id as number) > 0, `the SDK path's id: ${String(call?.id)}`);
    assert.equal(call.params?._meta?.traceparent, traceparent);
  });
});

// 2026-07-28 on both hops: a 2026-07-28 client's calls to an upstream that speaks 2026-07-28
// (the SDK v2 fixture) take the lane too, with the envelope the SDK path sends upstream and the
// answer read as the SDK Client reads it. A call with a progress token takes the SDK path:
// each answer is compared with that path's.
describe('the fast lane: 2026-07-28 on both hops (stdio client → 2026-07-28 stdio upstream)', function () {
  this.timeout(60_000);
  let client: Client;
  type Whoami = { era: string; clientInfo: unknown; clientCapabilities: unknown; logLevel?: string; requestId: unknown };
  const viaSdk = (params: { name: string; arguments?: Record<string, unknown>; _meta?: Record<string, unknown> }) => client.callTool(params, { onprogress: () => {} });
  const whoami = async (call: Promise<unknown>) => JSON.parse(text(await call)) as Whoami;
  const cancellations = async () => JSON.parse(text(await client.callTool({ name: 'v2__test_cancellations', arguments: {} }))) as Array<{ ms: number; reason: string }>;

  before(async () => {
    const config = writeConfig({ server: { name: 'lane-proxy' }, upstreams: { v2: { ...fixture('modern-server', '--stdio'), timeoutMs: TIMEOUT_MS } } });
    client = new Client({ name: 'both-hops-test', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, '--config', config], cwd: ROOT, stderr: 'ignore' }));
    await client.callTool({ name: 'v2__test_simple_text', arguments: {} }); // the SDK path accepts the envelope
  });
  after(async () => client?.close());

  it('takes the calls (the upstream sees the lane’s ids) with the envelope the SDK path sends, maps 16 concurrent answers back', async () => {
    const lane = await Promise.all(Array.from({ length: 16 }, () => whoami(client.callTool({ name: 'v2__test_whoami', arguments: {} }))));
    const ids = lane.map((answer) => answer.requestId as number);
    assert.ok(ids.every((id) => Number.isInteger(id) && id < 0), `the lane's ids are negative: ${ids.join(', ')}`);
    assert.equal(new Set(ids).size, 16, 'one id per call');
    const { requestId: sdkId, ...sdk } = await whoami(viaSdk({ name: 'v2__test_whoami', arguments: {} }));
    assert.ok(typeof sdkId === 'number' && sdkId >= 0, `the SDK path's id: ${String(sdkId)}`);
    for (const { requestId: _id, ...answer } of lane) assert.deepEqual(answer, sdk);
    assert.equal(sdk.era, 'modern');
    // The client's log level goes upstream in the call's envelope on both paths.
    const level = { 'io.modelcontextprotocol/logLevel': 'debug' };
    const { requestId: laneId, ...leveled } = await whoami(client.callTool({ name: 'v2__test_whoami', arguments: {}, _meta: level }));
    const { requestId: _sdkId, ...sdkLeveled } = await whoami(viaSdk({ name: 'v2__test_whoami', arguments: {}, _meta: level }));
    assert.ok((laneId as number) < 0);
    assert.equal(leveled.logLevel, 'debug');
    assert.deepEqual(leveled, sdkLeveled);
  });

  it('answers results, tool errors, protocol errors and input the client did not declare as the SDK path does', async () => {
    const settled = (call: Promise<unknown>) => call.then((result) => ({ result }), ({ code, message, data }: Error & { code?: unknown; data?: unknown }) => ({ error: { code, message, data } }));
    for (const name of ['test_simple_text', 'test_multiple_content_types', 'test_error_handling', 'test_input_required_result_capabilities', 'test_missing_capability', 'test_input_required_result_elicitation']) {
      const lane = await settled(client.callTool({ name: `v2__${name}`, arguments: {} }));
      const sdk = await settled(viaSdk({ name: `v2__${name}`, arguments: {} }));
      assert.deepEqual(lane, sdk, name);
    }
    const lane = await settled(client.callTool({ name: 'v2__test_slow', arguments: { ms: 'not a number' } }));
    assert.deepEqual(lane, await settled(viaSdk({ name: 'v2__test_slow', arguments: { ms: 'not a number' } })));
  });

  it('leaves an input_required round to the SDK path, which asks the client and retries', async () => {
    const rounds = async () => JSON.parse(text(await client.callTool({ name: 'v2__test_state_only_rounds', arguments: {} }))) as Array<{ id: number; retry: boolean }>;
    const seen = (await rounds()).length;
    const lane = await client.callTool({ name: 'v2__test_input_required_state_only', arguments: {} });
    assert.equal(text(lane), 'state-only round trip complete');
    // The lane's round (its id), given back: the SDK path's round and its retry with the upstream's state.
    const [laneRound, sdkRound, retry] = (await rounds()).slice(seen);
    assert.ok(laneRound.id < 0 && !laneRound.retry, JSON.stringify(laneRound));
    assert.ok(sdkRound.id >= 0 && !sdkRound.retry, JSON.stringify(sdkRound));
    assert.ok(retry.id >= 0 && retry.retry, JSON.stringify(retry));
    assert.deepEqual(lane, await viaSdk({ name: 'v2__test_input_required_state_only', arguments: {} }));
  });

  it('passes the client’s cancellation to the upstream', async () => {
    const before = (await cancellations()).length;
    const controller = new AbortController();
    const call = client.callTool({ name: 'v2__test_slow', arguments: { ms: 30_000 } }, { signal: controller.signal });
    await client.callTool({ name: 'v2__test_simple_text', arguments: {} });
    controller.abort('changed my mind');
    await assert.rejects(call);
    let seen: Array<{ ms: number; reason: string }> = [];
    await waitUntil(async () => (seen = await cancellations()).length > before, 'the upstream to see notifications/cancelled');
    assert.equal(seen.at(-1)!.ms, 30_000);
  });

  it('ends a call the upstream does not answer within timeoutMs with the SDK path’s error, and tells the upstream', async () => {
    const before = (await cancellations()).length;
    const failed = (call: Promise<unknown>) => call.then(() => assert.fail('answered'), ({ code, message, data }: Error & { code?: unknown; data?: unknown }) => ({ code, message, data }));
    const [lane, sdk] = await Promise.all([
      failed(client.callTool({ name: 'v2__test_slow', arguments: { ms: 20_000 } }, { timeout: 30_000 })),
      failed(client.callTool({ name: 'v2__test_slow', arguments: { ms: 20_000 } }, { timeout: 30_000, onprogress: () => {} })),
    ]);
    assert.deepEqual(lane, { code: -32001, message: `Upstream 'v2' did not answer tools/call within ${TIMEOUT_MS} ms`, data: { upstream: 'v2' } });
    assert.deepEqual(lane, sdk);
    await waitUntil(async () => (await cancellations()).length >= before + 2, 'the upstream to hear both were cancelled');
  });

  it('fails a call in flight when the upstream exits, as the SDK path words it, and serves again', async () => {
    const crashed = async (call: Promise<unknown>) => {
      const error = await call.then(() => assert.fail('answered'), (error: Error & { code?: number }) => error);
      await untilAnswered(() => client.callTool({ name: 'v2__test_simple_text', arguments: {} }), 'v2 to serve again', 20_000);
      return { code: error.code, message: error.message.replace(/\(pid \d+\)/, '(pid N)') };
    };
    const lane = await crashed(client.callTool({ name: 'v2__test_exit', arguments: {} }));
    assert.equal(lane.code, -32000);
    assert.match(lane.message, /^Upstream 'v2' closed the connection during tools\/call/);
    // Back: the lane takes calls on the new child.
    assert.ok(((await whoami(client.callTool({ name: 'v2__test_whoami', arguments: {} }))).requestId as number) < 0);
    assert.deepEqual(lane, await crashed(viaSdk({ name: 'v2__test_exit', arguments: {} })));
  });
});

// Recorded, the lane's 2026-07-28 calls keep their route in the vCon, with the upstream's own id.
describe('the fast lane: 2026-07-28 on both hops, recorded', function () {
  this.timeout(60_000);

  it('records the lane’s calls as the SDK path’s, with the lane’s upstream id; a call given back to the SDK path with its id', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-lane-vcons-'));
    const config = writeConfig({ upstreams: { v2: fixture('modern-server', '--stdio') }, vcon: { dir } });
    const client = new Client({ name: 'both-hops-recorded', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, '--config', config], cwd: ROOT, stderr: 'ignore' }));
    const answers = [];
    for (const name of ['v2__test_simple_text', 'v2__test_simple_text', 'v2__test_input_required_state_only']) answers.push(await client.callTool({ name, arguments: {} }));
    await client.close();
    // (The client's server/discover probe is a vCon of its own.)
    const called = () => vconsIn(dir).find((vcon) => vcon.dialog?.some((d) => JSON.parse(d.body!).method === 'tools/call'));
    await waitUntil(() => called() !== undefined, 'the vCon', 15_000);
    const dialog = called()!.dialog!.map((d) => ({ body: JSON.parse(d.body!) as Record<string, any>, meta: d.meta! }));
    const calls = dialog.filter(({ body }) => body.method === 'tools/call');
    const ids = calls.map(({ meta }) => meta.upstream_request_id as number);
    assert.equal(calls.length, 4, 'three calls and the client’s retry of the input_required one');
    assert.ok(ids[0] >= 0, `the first call takes the SDK path: ${ids.join(', ')}`);
    assert.ok(ids[1] < 0, `the second takes the lane: ${ids.join(', ')}`);
    assert.ok(ids[2] >= 0 && ids[3] >= 0, `the input_required call and its retry end on the SDK path: ${ids.join(', ')}`);
    // What the client got is what was recorded, each under its request.
    const answered = calls.map(({ body }) => dialog.find((d) => d.meta.mcp_type === 'response' && d.body.id === body.id)!.body.result);
    assert.deepEqual([answered[0], answered[1], answered[3]].map(text), answers.map(text));
    assert.equal(answered[2].resultType, 'input_required');
    assert.deepEqual(answered[1], answered[0]);
  });
});
