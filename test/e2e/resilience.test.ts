// Resilience and fidelity at the edges, through the real proxy process: long paginated lists
// (the upstream's cursors and the proxy's own), upstreams that never start or crash mid-call,
// maxConcurrent, fields the SDK doesn't know, and the CLI's `list` and `validate` exit codes.
// Upstreams are the fixtures in test/fixtures (paging-server, crashing-server, odd-fields-server).
import { LATEST_PROTOCOL_VERSION, ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/client';
import type { Client } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { postJsonRpc, sseMessages } from '../helpers/jsonrpc.js';
import { CLI, ROOT } from '../helpers/paths.js';
import { connectHttp, connectStdio, startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';
import { text } from '../helpers/results.js';
import { connectDirect, fixture } from '../helpers/upstreams.js';
import { untilAnswered, waitUntil } from '../helpers/wait.js';

const paging = (...args: string[]) => fixture('paging-server', ...args);
const crashing = (...args: string[]) => fixture('crashing-server', ...args);

/** Whatever a request answers, every key kept: no SDK result schema in between. */
const Loose = z.looseObject({});
type Json = Record<string, unknown>;
function raw(client: Client, method: string, params: Json = {}): Promise<Json> {
  return client.request({ method, params } as never, Loose) as Promise<Json>;
}

/** Asserts a rejection is a JSON-RPC error with `code` and a message matching `pattern`. */
function rpcError(code: number, pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ProtocolError, `expected an McpError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.match(error.message, pattern);
    return true;
  };
}

type ListKey = 'tools' | 'prompts' | 'resources' | 'resourceTemplates';
const LIST_METHOD: Record<ListKey, string> = {
  tools: 'tools/list',
  prompts: 'prompts/list',
  resources: 'resources/list',
  resourceTemplates: 'resources/templates/list',
};

/** Every page of one of the proxy's lists, following its nextCursor to the end. */
async function allPages(client: Client, key: ListKey): Promise<Json[][]> {
  const pages: Json[][] = [];
  let cursor: string | undefined;
  do {
    const result = await raw(client, LIST_METHOD[key], cursor === undefined ? {} : { cursor });
    pages.push(result[key] as Json[]);
    cursor = result.nextCursor as string | undefined;
    assert.ok(pages.length < 100, `${key}: the proxy's cursors never end`);
  } while (cursor !== undefined);
  return pages;
}

const pad = (i: number) => String(i).padStart(3, '0');
const seq = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));

/** What the two paging upstreams offer, in catalog order, under the names the client sees. */
const EXPECTED = {
  tools: [...seq(250, (i) => `pg__p-tool-${pad(i)}`), ...seq(3, (i) => `q__q-tool-${pad(i)}`)],
  prompts: [...seq(130, (i) => `pg__p-prompt-${pad(i)}`), ...seq(2, (i) => `q__q-prompt-${pad(i)}`)],
  resources: [...seq(120, (i) => `paging://p/resource/${pad(i)}`), ...seq(2, (i) => `paging://q/resource/${pad(i)}`)],
  resourceTemplates: [...seq(110, (i) => `paging://p/template/${pad(i)}/{id}`), ...seq(2, (i) => `paging://q/template/${pad(i)}/{id}`)],
};
const idOf = (key: ListKey, item: Json) => String(key === 'resources' ? item.uri : key === 'resourceTemplates' ? item.uriTemplate : item.name);

const pagingUpstreams = {
  // 250 tools, 130 prompts, 120 resources, 110 templates, in upstream pages of 7.
  pg: paging(),
  small: { ...paging('--tools', '3', '--prompts', '2', '--resources', '2', '--templates', '2', '--page', '2', '--prefix', 'q'), namespace: 'q' },
};

describe('resilience: pagination', function () {
  describe('the upstreams’ cursors, and the proxy’s own pages of 100 (stdio)', function () {
    let client: Client;
    before(async () => {
      client = (await connectStdio(writeConfig({ upstreams: pagingUpstreams }))).client;
    });
    after(async () => client?.close());

    it('answers tools/list with one page of at most 100 and a nextCursor', async () => {
      // raw: the v2 client's listTools() follows every cursor itself.
      const first = (await raw(client, 'tools/list')) as { tools: Json[]; nextCursor?: string };
      assert.equal(first.tools.length, 100);
      assert.ok(first.nextCursor, 'a nextCursor for the rest');
      assert.deepEqual(
        first.tools.map((t) => t.name),
        EXPECTED.tools.slice(0, 100),
      );
    });

    for (const key of ['tools', 'prompts', 'resources', 'resourceTemplates'] as const) {
      it(`follows every upstream cursor to the end: all ${EXPECTED[key].length} ${key}, in pages of ≤100`, async () => {
        const pages = await allPages(client, key);
        const expectedSizes = [...seq(Math.floor(EXPECTED[key].length / 100), () => '100'), String(EXPECTED[key].length % 100)];
        assert.deepEqual(
          pages.map((p) => String(p.length)),
          expectedSizes,
        );
        const ids = pages.flat().map((item) => idOf(key, item));
        assert.deepEqual(ids, EXPECTED[key], 'every item of both upstreams, once, in order');
      });
    }

    it('routes calls, prompts and reads to items from any upstream page', async () => {
      assert.equal(text(await client.callTool({ name: 'pg__p-tool-249', arguments: {} })), 'p-tool-249');
      assert.equal(text(await client.callTool({ name: 'pg__p-tool-000', arguments: {} })), 'p-tool-000');
      assert.equal(text(await client.callTool({ name: 'q__q-tool-002', arguments: {} })), 'q-tool-002');
      const prompt = await client.getPrompt({ name: 'pg__p-prompt-129' });
      assert.match(JSON.stringify(prompt.messages), /p-prompt-129/);
      const read = await client.readResource({ uri: 'paging://p/resource/119' });
      assert.equal(read.contents[0].uri, 'paging://p/resource/119');
      const templated = await client.readResource({ uri: 'paging://p/template/109/abc' });
      assert.equal(templated.contents[0].uri, 'paging://p/template/109/abc', 'the last template page routes too');
    });

    it('refuses a cursor it did not hand out, and the cursor of another list, with InvalidParams', async () => {
      await assert.rejects(client.listTools({ cursor: 'not-a-cursor' }), rpcError(ProtocolErrorCode.InvalidParams, /Invalid cursor for tools/));
      const { nextCursor } = (await raw(client, 'prompts/list')) as { nextCursor?: string };
      assert.ok(nextCursor);
      await assert.rejects(client.listTools({ cursor: nextCursor }), rpcError(ProtocolErrorCode.InvalidParams, /Invalid cursor for tools/));
      await assert.rejects(client.listResources({ cursor: nextCursor }), rpcError(ProtocolErrorCode.InvalidParams, /Invalid cursor for resources/));
    });

    it('sends the message alone, with no "MCP error -32602:" prefix in it', async () => {
      // v1 SDK clients add "MCP error <code>: " themselves; the proxy must not send it in the message.
      await assert.rejects(client.listTools({ cursor: 'not-a-cursor' }), (error: Error) => {
        assert.match(error.message, /^Invalid cursor for tools/);
        return true;
      });
    });
  });

  describe('server.pageSize: 10 (Streamable HTTP)', function () {
    let proxy: HttpProxy;
    let client: Client;
    before(async () => {
      proxy = await startHttpProxy(writeConfig({ server: { pageSize: 10 }, upstreams: pagingUpstreams }));
      client = (await connectHttp(proxy.url)).client;
    });
    after(async () => {
      await client?.close();
      await proxy?.stop();
    });

    it('pages its own lists by 10, and following the cursors gives everything', async () => {
      for (const key of ['tools', 'prompts', 'resources', 'resourceTemplates'] as const) {
        const pages = await allPages(client, key);
        const total = EXPECTED[key].length;
        assert.equal(pages.length, Math.ceil(total / 10), `${key}: ${pages.length} pages`);
        assert.ok(
          pages.slice(0, -1).every((p) => p.length === 10),
          `${key}: full pages of 10`,
        );
        assert.equal(pages.at(-1)!.length, total % 10 || 10);
        assert.deepEqual(
          pages.flat().map((item) => idOf(key, item)),
          EXPECTED[key],
        );
      }
    });
  });
});

describe('resilience: upstreams that never start', function () {
  const config = {
    upstreams: {
      good: crashing(),
      missing: { command: '/nonexistent/mcproxy-no-such-server', args: [] },
      quitter: crashing('--never-start', 'exit'),
      // Accepts the connection but never answers initialize; gives up after timeoutMs.
      hanger: { ...crashing('--never-start', 'hang'), timeoutMs: 1500 },
    },
  };
  const file = writeConfig(config);

  describe('while the proxy runs (Streamable HTTP)', function () {
    let proxy: HttpProxy;
    let client: Client;
    before(async () => {
      proxy = await startHttpProxy(file);
      client = (await connectHttp(proxy.url)).client;
    });
    after(async () => {
      await client?.close();
      await proxy?.stop();
    });

    it('serves the upstreams that did start', async () => {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), ['good__crash', 'good__echo', 'good__pid', 'good__slow']);
      assert.equal(text(await client.callTool({ name: 'good__echo', arguments: { text: 'still here' } })), 'still here');
    });

    it('logs each failed upstream by name, with the reason', async () => {
      await client.listTools();
      await waitUntil(() => /\[upstream=hanger\] connection failed/.test(proxy.stderr()), 'the hanger to time out', 5_000);
      const stderr = proxy.stderr();
      assert.match(stderr, /\[upstream=missing\] connection failed: command not found: \/nonexistent\/mcproxy-no-such-server/);
      assert.match(stderr, /\[upstream=quitter\] crashing-server: refusing to start/, "the upstream's own stderr, tagged");
      assert.match(stderr, /\[upstream=quitter\] connection failed: .*closed/i);
      assert.match(stderr, /\[upstream=hanger\] connection failed: .*time/i);
    });

    it('answers a call to a tool nobody offers with an error, not a hang', async () => {
      await assert.rejects(client.callTool({ name: 'quitter__echo', arguments: { text: 'x' } }), /Unknown tool: quitter__echo/);
    });
  });

  describe('mcproxy list', function () {
    it('exits 1, lists the tools of the others and says FAILED upstream <name>: <reason>', function () {
      const run = spawnSync(process.execPath, [CLI, 'list', '--config', file], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
      assert.equal(run.status, 1, `exit ${run.status}\n${run.stdout}\n${run.stderr}`);
      assert.match(run.stdout, /^tool\s+good__echo\s+←\s+good\/echo$/m);
      assert.match(run.stdout, /^tool\s+good__slow\s+←\s+good\/slow$/m);
      assert.match(run.stdout, /^FAILED upstream missing: command not found: \/nonexistent\/mcproxy-no-such-server/m);
      assert.match(run.stdout, /^FAILED upstream quitter: \S/m);
      assert.match(run.stdout, /^FAILED upstream hanger: \S/m);
      assert.doesNotMatch(run.stdout, /FAILED upstream good/);
    });

    it('with --json, prints parseable JSON with `failed`', function () {
      const run = spawnSync(process.execPath, [CLI, 'list', '--json', '--config', file], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
      assert.equal(run.status, 1, `exit ${run.status}\n${run.stderr}`);
      const report = JSON.parse(run.stdout) as {
        entries: Array<{ kind: string; name: string; upstream: string; original: string }>;
        failed: Array<{ upstream: string; reason: string }>;
      };
      assert.deepEqual(report.failed.map((f) => f.upstream).sort(), ['hanger', 'missing', 'quitter']);
      assert.ok(report.failed.every((f) => typeof f.reason === 'string' && f.reason.length > 0));
      assert.deepEqual(
        report.entries.find((e) => e.name === 'good__echo'),
        { kind: 'tool', name: 'good__echo', upstream: 'good', original: 'echo' },
      );
      assert.ok(report.entries.every((e) => e.upstream === 'good'));
    });
  });
});

describe('resilience: an upstream that crashes mid-call', function () {
  const downFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'mcproxy-crash-')), 'down-until');
  let proxy: HttpProxy;
  let client: Client;
  before(async () => {
    proxy = await startHttpProxy(
      writeConfig({
        upstreams: {
          crashy: crashing('--down-file', downFile),
          steady: crashing(),
        },
      }),
    );
    client = (await connectHttp(proxy.url)).client;
  });
  after(async () => {
    await client?.close();
    await proxy?.stop();
  });

  const pidOf = async (name: string) => Number(text(await client.callTool({ name, arguments: {} })));

  it('fails the call in flight with an error naming it, keeps the others serving, and comes back', async () => {
    const firstPid = await pidOf('crashy__pid');
    // A call on the other upstream, in flight across the crash.
    const steadyCall = client.callTool({ name: 'steady__slow', arguments: { ms: 600 } });

    // Restarts fail for two seconds after the crash: the first retry (after 500 ms, plus the time
    // a process takes to start on a busy machine) finds it still down.
    await assert.rejects(client.callTool({ name: 'crashy__crash', arguments: { downMs: 2000 } }), (error: Error & { code?: number }) => {
      assert.match(error.message, /Upstream 'crashy'/);
      assert.match(error.message, /closed the connection during tools\/call/);
      assert.equal(error.code, -32000, 'the JSON-RPC code of a closed connection');
      return true;
    });
    const crashedAt = Date.now();

    await assert.rejects(client.callTool({ name: 'crashy__echo', arguments: { text: 'hello?' } }), (error: Error) => {
      assert.match(error.message, /Upstream 'crashy' is unavailable: /);
      return true;
    });
    assert.equal(text(await client.callTool({ name: 'steady__echo', arguments: { text: 'fine' } })), 'fine');
    assert.match(text(await steadyCall), /maxConcurrent/, 'the other upstream’s call in flight completes');

    const newPid = await untilAnswered(() => pidOf('crashy__pid'), 'crashy to serve again', 10_000);
    const downFor = Date.now() - crashedAt;
    assert.notEqual(newPid, firstPid, 'a new upstream process');
    assert.ok(downFor >= 1_900, `down for ${downFor} ms; it should have stayed down about 2 s`);
    assert.ok(downFor < 8_000, `down for ${downFor} ms: backoff 500 ms, then 1 s, then 2 s`);

    const stderr = proxy.stderr();
    assert.match(stderr, /\[upstream=crashy\] connection closed: the process exited with code 1; last stderr: crashing-server: crashing on purpose; reconnecting/);
    assert.match(stderr, /\[upstream=crashy\] crashing-server: still down/, 'the first retry found it still down');
    assert.ok(
      (await client.listTools()).tools.some((t) => t.name === 'crashy__echo'),
      'its tools are listed again',
    );
    assert.equal(text(await client.callTool({ name: 'crashy__echo', arguments: { text: 'back' } })), 'back');
  });

  it('retries first after about 500 ms', async () => {
    const firstPid = await pidOf('crashy__pid');
    await assert.rejects(client.callTool({ name: 'crashy__crash', arguments: {} }), /Upstream 'crashy'/);
    const crashedAt = Date.now();
    let newPid = 0;
    await waitUntil(async () => {
      try {
        newPid = await pidOf('crashy__pid');
        return true;
      } catch (error) {
        assert.match((error as Error).message, /Upstream 'crashy' is unavailable/);
        return false;
      }
    }, 'crashy to serve again', 5_000);
    const downFor = Date.now() - crashedAt;
    assert.notEqual(newPid, firstPid);
    assert.ok(downFor >= 400, `back after ${downFor} ms: the first retry waits 500 ms`);
    assert.ok(downFor < 3_000, `back after ${downFor} ms: the first retry should have succeeded`);
  });
});

describe('resilience: maxConcurrent', function () {
  let client: Client;
  before(async () => {
    const file = writeConfig({
      upstreams: {
        limited: { ...crashing(), maxConcurrent: 2 },
        unlimited: crashing(),
        fragile: { ...crashing(), maxConcurrent: 1 },
      },
    });
    client = (await connectStdio(file)).client;
  });
  after(async () => client?.close());

  async function sixSlowCalls(tool: string): Promise<{ max: number; ms: number }> {
    const started = Date.now();
    const results = await Promise.all(seq(6, () => '').map(() => client.callTool({ name: tool, arguments: { ms: 300 } })));
    const ms = Date.now() - started;
    for (const result of results) assert.ok(!result.isError, text(result));
    const seen = results.map((result) => JSON.parse(text(result)) as { maxConcurrent: number });
    return { max: Math.max(...seen.map((s) => s.maxConcurrent)), ms };
  }

  it('never lets the upstream see more than 2 calls at once, and all 6 succeed', async () => {
    const { max, ms } = await sixSlowCalls('limited__slow');
    assert.equal(max, 2);
    assert.ok(ms >= 850, `6 calls of 300 ms two at a time take ≥ 900 ms, not ${ms}`);
  });

  it('(control) without maxConcurrent the upstream sees all 6 at once', async () => {
    const { max } = await sixSlowCalls('unlimited__slow');
    assert.equal(max, 6);
  });

  /** The errors of the calls that were still queued when `fragile` crashed, for the next test. */
  const queuedErrors: Error[] = [];

  it('calls queued behind maxConcurrent when the upstream crashes fail naming it, and the queue works after the reconnect', async () => {
    const running = client.callTool({ name: 'fragile__slow', arguments: { ms: 300 } });
    const crash = client.callTool({ name: 'fragile__crash', arguments: {} });
    const queued = seq(2, (i) => `q${i}`).map((t) => client.callTool({ name: 'fragile__echo', arguments: { text: t } }));
    assert.match(text(await running), /maxConcurrent/, 'the call ahead of the crash completes');
    await assert.rejects(crash, /Upstream 'fragile' closed the connection during tools\/call/);
    for (const call of queued) {
      await assert.rejects(call, (error: Error) => {
        queuedErrors.push(error);
        assert.match(error.message, /Upstream 'fragile'/);
        return true;
      });
    }
    const back = await untilAnswered(() => client.callTool({ name: 'fragile__echo', arguments: { text: 'back' } }), 'fragile to serve again', 10_000);
    assert.equal(text(back), 'back');
    const results = await Promise.all(seq(3, () => '').map(() => client.callTool({ name: 'fragile__slow', arguments: { ms: 100 } })));
    assert.deepEqual(
      results.map((r) => (JSON.parse(text(r)) as { maxConcurrent: number }).maxConcurrent),
      [1, 1, 1],
    );
  });

  it('a call still queued when the upstream crashed is refused as unavailable, like any call while it is down', function () {
    assert.ok(queuedErrors.length > 0, 'the test above collected the errors of the queued calls');
    for (const error of queuedErrors) {
      assert.match(error.message, /Upstream 'fragile' is unavailable: /);
      assert.equal((error as Error & { code?: number }).code, ProtocolErrorCode.InternalError);
    }
  });
});

describe('resilience: fields the SDK does not know pass through untouched', function () {
  const odd = fixture('odd-fields-server');
  let direct: Client;
  let proxied: Client;
  before(async () => {
    direct = await connectDirect(odd);
    proxied = (await connectStdio(writeConfig({ upstreams: { odd: { ...odd, namespace: 'odd' } } }))).client;
  });
  after(async () => {
    await direct?.close();
    await proxied?.close();
  });

  const renamed = (items: Json[]) => items.map((item) => ({ ...item, name: `odd__${String(item.name)}` }));

  it('tools/list: every tool deep-equals what the server sent, but for its name', async () => {
    const sent = (await raw(direct, 'tools/list')).tools as Json[];
    // The fixture really sends what the SDK doesn't know (else this test proves nothing).
    const oddTool = sent.find((t) => t.name === 'odd-tool')!;
    assert.deepEqual(oddTool['x-vendor'], { tier: 'gold', limits: { rpm: 60, burst: [1, 2, 3] } });
    assert.deepEqual((oddTool.annotations as Json)['x-cost'], { cents: 3, currency: 'EUR' });
    const received = (await raw(proxied, 'tools/list')).tools as Json[];
    assert.deepEqual(received, renamed(sent));
  });

  it('prompts/list, resources/list and resources/templates/list deep-equal what the server sent', async () => {
    const prompts = (await raw(direct, 'prompts/list')).prompts as Json[];
    assert.ok('x-vendor' in prompts[0]);
    assert.deepEqual((await raw(proxied, 'prompts/list')).prompts, renamed(prompts));
    const resources = (await raw(direct, 'resources/list')).resources as Json[];
    assert.equal((resources[0].annotations as Json)['x-sensitivity'], 'low');
    assert.deepEqual((await raw(proxied, 'resources/list')).resources, resources);
    const templates = (await raw(direct, 'resources/templates/list')).resourceTemplates as Json[];
    assert.ok('x-vendor' in templates[0]);
    assert.deepEqual((await raw(proxied, 'resources/templates/list')).resourceTemplates, templates);
  });

  it('tools/call: unknown top-level keys, content-item keys and content types arrive as sent', async () => {
    const sent = await raw(direct, 'tools/call', { name: 'odd-tool', arguments: { q: 'x' } });
    assert.deepEqual(sent['x-result-extra'], { billing: { units: 2 } });
    assert.equal(((sent.content as Json[])[0].annotations as Json)['x-highlight'], 'yellow');
    assert.deepEqual((sent.content as Json[])[0]['x-content-extra'], { deep: [1, 2, { three: true }] });
    assert.deepEqual(await raw(proxied, 'tools/call', { name: 'odd__odd-tool', arguments: { q: 'x' } }), sent);

    const future = await raw(direct, 'tools/call', { name: 'future-tool', arguments: {} });
    assert.equal((future.content as Json[])[1].type, 'x-hologram');
    assert.deepEqual(await raw(proxied, 'tools/call', { name: 'odd__future-tool', arguments: {} }), future);
  });

  it('prompts/get and resources/read results arrive as sent', async () => {
    const prompt = await raw(direct, 'prompts/get', { name: 'odd-prompt', arguments: { topic: 'a' } });
    assert.ok('x-prompt-result' in prompt);
    assert.deepEqual(await raw(proxied, 'prompts/get', { name: 'odd__odd-prompt', arguments: { topic: 'a' } }), prompt);
    const read = await raw(direct, 'resources/read', { uri: 'odd://resource/one' });
    assert.ok('x-read-extra' in read);
    assert.deepEqual(await raw(proxied, 'resources/read', { uri: 'odd://resource/one' }), read);
    const templated = await raw(direct, 'resources/read', { uri: 'odd://template/7' });
    assert.deepEqual(await raw(proxied, 'resources/read', { uri: 'odd://template/7' }), templated);
  });

  it("the SDK client's own callTool accepts the result against the passed-through outputSchema", async () => {
    await proxied.listTools(); // the SDK client caches output schemas from here
    const result = await proxied.callTool({ name: 'odd__odd-tool', arguments: { q: 'x' } });
    assert.deepEqual(result.structuredContent, { answer: 'odd answer', score: 0.75, extra: { nested: { unknown: ['ok'] } } });
  });

  describe('on the wire of the HTTP proxy, with no SDK client at all', function () {
    let proxy: HttpProxy;
    before(async () => {
      proxy = await startHttpProxy(writeConfig({ upstreams: { odd: { ...odd, namespace: 'odd' } } }));
    });
    after(async () => proxy?.stop());

    /** POSTs one JSON-RPC message; the JSON-RPC response, from a JSON or an SSE body. */
    async function post(body: Json, sessionId?: string): Promise<{ sessionId?: string; message?: Json }> {
      const response = await postJsonRpc(proxy.url, body, {
        ...(sessionId && { 'mcp-session-id': sessionId, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION }),
      });
      assert.ok(response.ok, `HTTP ${response.status}`);
      const bodyText = await response.text();
      const id = response.headers.get('mcp-session-id') ?? sessionId;
      if (!bodyText) return { sessionId: id };
      const json = (response.headers.get('content-type') ?? '').includes('text/event-stream')
        ? (sseMessages(bodyText) as Json[]).find((m) => 'result' in m || 'error' in m)
        : (JSON.parse(bodyText) as Json);
      return { sessionId: id, message: json };
    }

    it('tools/list and tools/call carry the unknown fields byte for byte', async () => {
      const init = await post({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw-fetch', version: '1' } },
      });
      assert.ok(init.sessionId);
      await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, init.sessionId);

      const sentTools = (await raw(direct, 'tools/list')).tools as Json[];
      const list = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, init.sessionId);
      assert.deepEqual((list.message!.result as Json).tools, renamed(sentTools));

      const sentCall = await raw(direct, 'tools/call', { name: 'odd-tool', arguments: {} });
      const call = await post({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'odd__odd-tool', arguments: {} } }, init.sessionId);
      assert.deepEqual(call.message!.result, sentCall);
    });
  });
});

describe('resilience: mcproxy validate', function () {
  const validate = (args: string[]) => spawnSync(process.execPath, [CLI, 'validate', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });

  it('exits 2 on a broken config, naming file:line:column and the key of each problem', () => {
    const file = writeConfig(
      [
        'server:',
        '  port: 99999',
        'upstreams:',
        '  good:',
        '    command: node',
        '    timeoutMs: soon',
        '  bad:',
        '    url: ftp://example.com/mcp',
        '',
      ].join('\n'),
    );
    const run = validate(['--config', file]);
    assert.equal(run.status, 2, `exit ${run.status}\n${run.stdout}\n${run.stderr}`);
    const lines = run.stderr.trim().split('\n');
    const at = (line: number, key: string) =>
      assert.ok(
        lines.some((l) => l.startsWith(`${file}:${line}:`) && new RegExp(`^\\S+:${line}:\\d+ ${key.replace(/\./g, '\\.')}: `).test(l)),
        `no problem at ${file}:${line} for ${key} in:\n${run.stderr}`,
      );
    at(2, 'server.port');
    at(6, 'upstreams.good.timeoutMs');
    at(8, 'upstreams.bad.url');
    assert.equal(run.stdout, '', 'nothing on stdout');
  });

  it('exits 2 on a YAML syntax error, with file:line:column', () => {
    const file = writeConfig('upstreams:\n  a:\n    command: node\n    args: [unclosed\n');
    const run = validate(['--config', file]);
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, new RegExp(`^${file.replace(/[.\\/]/g, '\\$&')}:\\d+:\\d+: `, 'm'));
  });

  it('exits 2 for a missing file', () => {
    const run = validate(['--config', path.join(os.tmpdir(), 'mcproxy-no-such-file.yaml')]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /file not found/);
  });

  it('exits 0 on the default config/mcproxy.yaml, found on its own or named', () => {
    for (const args of [[], ['--config', 'config/mcproxy.yaml']]) {
      const run = validate(args);
      assert.equal(run.status, 0, `validate ${args.join(' ')}: exit ${run.status}\n${run.stderr}`);
      assert.match(run.stdout, /config\/mcproxy\.yaml: valid \(3 upstreams: everything, memory, files\)/);
    }
  });
});
