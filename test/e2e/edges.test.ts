// The edges: remote upstreams (Streamable HTTP, legacy SSE, headers from the environment), a
// proxy chained behind another, the default config, old protocol versions, an upstream that
// gives up on its own request, and messages that nobody can route.
import type { ElicitResult } from '@modelcontextprotocol/server';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { POST_HEADERS, postJsonRpc } from '../helpers/jsonrpc.js';
import { freePort, startHeaderRecorder } from '../helpers/net.js';
import { ROOT, serverPackage } from '../helpers/paths.js';
import { connectHttp, connectStdio, startHttpProxy, toolNamesOnceListed, writeConfig, type HttpProxy } from '../helpers/proxy.js';
import { text } from '../helpers/results.js';
import { changing, everything } from '../helpers/upstreams.js';

/** server-everything in one of its HTTP modes on a free port; resolves once it answers. */
async function startEverythingOverHttp(mode: 'sse' | 'streamableHttp'): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [serverPackage('everything'), mode], { env: { ...process.env, PORT: String(port) }, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}${mode === 'sse' ? '/sse' : '/mcp'}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    const up = await fetch(`http://127.0.0.1:${port}/`).then(
      () => true,
      () => false,
    );
    if (up) return { url, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server-everything ${mode} did not start`);
}

describe('remote upstreams', function () {
  const servers: ChildProcess[] = [];
  after(() => servers.forEach((child) => child.kill()));

  it('aggregates server-everything over Streamable HTTP and over legacy SSE (found by fallback)', async () => {
    const streamable = await startEverythingOverHttp('streamableHttp');
    const sse = await startEverythingOverHttp('sse');
    servers.push(streamable.child, sse.child);
    // No `transport:` for the SSE one: Streamable HTTP is tried first and the proxy falls back.
    const file = writeConfig({ upstreams: { http: { url: streamable.url }, legacy: { url: sse.url } } });
    const { client } = await connectStdio(file);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      assert.ok(names.includes('http__echo') && names.includes('legacy__echo'), names.join(', '));
      assert.equal(text(await client.callTool({ name: 'http__echo', arguments: { message: 'over http' } })), 'Echo: over http');
      assert.equal(text(await client.callTool({ name: 'legacy__echo', arguments: { message: 'over sse' } })), 'Echo: over sse');
    } finally {
      await client.close();
    }
  });

  it('sends the configured headers, with ${VAR} taken from the environment', async () => {
    const gate = await startHeaderRecorder();
    const { url, seen } = gate;
    const file = writeConfig({ upstreams: { locked: { url, headers: { Authorization: 'Bearer ${TEST_UPSTREAM_TOKEN}' } } } });
    const proxy = await startHttpProxy(file, [], { TEST_UPSTREAM_TOKEN: 's3cret-token' });
    try {
      const { client } = await connectHttp(proxy.url);
      await client.listTools();
      await client.close();
      assert.ok(seen.length >= 1, 'the upstream was contacted');
      assert.ok(seen.every((h) => h.authorization === 'Bearer s3cret-token'), JSON.stringify(seen.map((h) => h.authorization)));
      assert.match(proxy.stderr(), /locked/, 'the failing upstream is named in the log');
      assert.doesNotMatch(proxy.stderr(), /s3cret-token/, 'the secret never reaches the log');
    } finally {
      await proxy.stop();
      gate.close();
    }
  });
});

describe('chaining: mcproxy behind mcproxy', function () {
  let inner: HttpProxy;
  after(async () => inner?.stop());

  it('exposes the inner proxy catalog under the outer namespace and routes calls through both', async () => {
    inner = await startHttpProxy(
      writeConfig({ upstreams: { everything: { ...everything, namespace: 'ev' } } }),
    );
    const { client } = await connectStdio(writeConfig({ upstreams: { inner: { url: inner.url } } }));
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      assert.ok(names.includes('inner__ev__echo'), names.join(', '));
      assert.equal(text(await client.callTool({ name: 'inner__ev__echo', arguments: { message: 'twice proxied' } })), 'Echo: twice proxied');
      const steps: number[] = [];
      await client.callTool({ name: 'inner__ev__trigger-long-running-operation', arguments: { duration: 1, steps: 3 } }, {
        onprogress: (p) => steps.push(p.progress),
      });
      assert.ok(steps.length >= 2, `progress crosses both proxies: ${steps.join(',')}`);
    } finally {
      await client.close();
    }
  });
});

describe('the default config', function () {
  it('serves server-everything, server-memory and server-filesystem, with their data in MCPROXY_DATA_DIR', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-data-'));
    mkdirSync(path.join(dataDir, 'files'));
    writeFileSync(path.join(dataDir, 'files', 'hello.txt'), 'Hello from the data folder\n');
    const { client } = await connectStdio(path.join(ROOT, 'config/mcproxy.yaml'), { env: { MCPROXY_DATA_DIR: dataDir } });
    try {
      const names = await toolNamesOnceListed(client, ['ev__echo', 'mem__read_graph', 'fs__read_text_file']);
      for (const expected of ['ev__echo', 'mem__read_graph', 'fs__read_text_file']) assert.ok(names.includes(expected), expected);
      const hello = await client.callTool({ name: 'fs__read_text_file', arguments: { path: path.join(dataDir, 'files', 'hello.txt') } });
      assert.match(text(hello), /Hello from the data folder/);
      await client.callTool({ name: 'mem__create_entities', arguments: { entities: [{ name: 'mcproxy', entityType: 'tool', observations: ['proxies MCP'] }] } });
      assert.match(readFileSync(path.join(dataDir, 'memory.jsonl'), 'utf8'), /"name":"mcproxy"/, 'the memory graph is kept in the data folder');
    } finally {
      await client.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('protocol edges', function () {
  let proxy: HttpProxy;
  before(async () => {
    proxy = await startHttpProxy(writeConfig({ upstreams: { changing: { ...changing, namespace: 'chg' } } }), [], { MCPROXY_LOG_LEVEL: 'debug' });
  });
  after(async () => proxy?.stop());

  it('cancels a request at the client when the upstream gives up on it', async () => {
    const { client } = await connectHttp(proxy.url, { capabilities: { elicitation: { form: {} } } });
    let aborted!: () => void;
    const sawAbort = new Promise<void>((resolve) => (aborted = resolve));
    client.setRequestHandler('elicitation/create', (_request, ctx) => {
      ctx.mcpReq.signal.addEventListener('abort', () => aborted());
      return new Promise<ElicitResult>(() => {}); // a user who never answers
    });
    try {
      const result = await client.callTool({ name: 'chg__ask-then-give-up', arguments: { afterMs: 300 } });
      assert.equal((result as { isError?: boolean }).isError, true, 'the upstream saw its own request end');
      await sawAbort; // the client was told: notifications/cancelled crossed the proxy
    } finally {
      await client.close();
    }
  });

  it('drops progress under a token nobody gave, with a warning naming the upstream, and keeps serving', async () => {
    const { client } = await connectHttp(proxy.url);
    try {
      assert.equal(text(await client.callTool({ name: 'chg__stray-progress', arguments: {} })), 'sent');
      assert.equal(text(await client.callTool({ name: 'chg__ping-client', arguments: {} })), 'pong {}');
      assert.match(proxy.stderr(), /warn \[upstream=changing\] protocol error from the upstream: .*unknown token/);
    } finally {
      await client.close();
    }
  });

  it('ignores a response to a request it never sent, and keeps the session', async () => {
    const { client, transport } = await connectHttp(proxy.url);
    try {
      const stray = await postJsonRpc(
        proxy.url,
        { jsonrpc: '2.0', id: 424242, result: {} },
        { 'mcp-session-id': transport.sessionId!, 'mcp-protocol-version': transport.protocolVersion! },
      );
      assert.equal(stray.status, 202);
      assert.ok((await client.listTools()).tools.length > 0);
    } finally {
      await client.close();
    }
  });

  it('speaks an older protocol version to a client that asks for it', async () => {
    const init = await postJsonRpc(proxy.url, {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'old-client', version: '0.1' } },
    });
    const sessionId = init.headers.get('mcp-session-id')!;
    const body = await init.text();
    assert.match(body, /"protocolVersion":"2024-11-05"/);
    const session = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2024-11-05' };
    await postJsonRpc(proxy.url, { jsonrpc: '2.0', method: 'notifications/initialized' }, session);
    const call = await postJsonRpc(
      proxy.url,
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'chg__ping-client', arguments: {} } },
      session,
    );
    assert.match(await call.text(), /pong/);
    await fetch(proxy.url, { method: 'DELETE', headers: { ...POST_HEADERS, ...session } });
  });
});
