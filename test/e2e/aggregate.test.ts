// One endpoint for many servers: the real reference servers from npm behind the real proxy
// process, seen by the real SDK client over stdio and over Streamable HTTP.
import type { Client } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { postJsonRpc } from '../helpers/jsonrpc.js';
import { serverPackage } from '../helpers/paths.js';
import { alive, childrenOf, waitFor } from '../helpers/processes.js';
import { connectHttp, connectStdio, startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';
import { text } from '../helpers/results.js';
import { everything } from '../helpers/upstreams.js';

const sharedDir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-fs-'));
writeFileSync(path.join(sharedDir, 'note.txt'), 'a note read through two proxies\n');

const config = {
  upstreams: {
    everything: { ...everything, namespace: 'ev' },
    memory: {
      command: process.execPath,
      args: [serverPackage('memory')],
      env: { MEMORY_FILE_PATH: path.join(sharedDir, 'memory.jsonl') },
      namespace: 'mem',
    },
    files: { command: process.execPath, args: [serverPackage('filesystem'), sharedDir], namespace: 'fs' },
  },
};

/** The same checks, whichever transport the client came in by. */
function behavesAsOneServer(connect: () => Promise<Client>) {
  let client: Client;
  before(async () => {
    client = await connect();
  });
  after(async () => client?.close());

  it('lists the tools of every upstream under their namespaces', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    for (const expected of ['ev__echo', 'ev__get-sum', 'mem__read_graph', 'mem__create_entities', 'fs__read_text_file']) {
      assert.ok(names.includes(expected), `${expected} missing from ${names.join(', ')}`);
    }
    assert.equal(new Set(names).size, names.length, 'exposed names are unique');
    const echo = tools.find((t) => t.name === 'ev__echo')!;
    assert.equal(echo.inputSchema.type, 'object', 'input schemas pass through');
    assert.ok(echo.inputSchema.properties && 'message' in echo.inputSchema.properties);
  });

  it('calls a tool of each upstream under its original name', async () => {
    assert.equal(text(await client.callTool({ name: 'ev__echo', arguments: { message: 'hi there' } })), 'Echo: hi there');
    await client.callTool({
      name: 'mem__create_entities',
      arguments: { entities: [{ name: 'mcproxy', entityType: 'project', observations: ['aggregates MCP servers'] }] },
    });
    assert.match(text(await client.callTool({ name: 'mem__read_graph', arguments: {} })), /aggregates MCP servers/);
    const file = await client.callTool({ name: 'fs__read_text_file', arguments: { path: path.join(sharedDir, 'note.txt') } });
    assert.match(text(file), /a note read through two proxies/);
  });

  it('reads a listed resource and one that only a template matches', async () => {
    const { resources } = await client.listResources();
    const doc = resources.find((r) => r.uri.startsWith('demo://resource/static/document/'));
    assert.ok(doc, 'server-everything documents are listed');
    const read = await client.readResource({ uri: doc.uri });
    assert.equal(read.contents[0].uri, doc.uri);
    const { resourceTemplates } = await client.listResourceTemplates();
    assert.ok(resourceTemplates.some((t) => t.uriTemplate === 'demo://resource/dynamic/text/{resourceId}'));
    const dynamic = await client.readResource({ uri: 'demo://resource/dynamic/text/7' });
    assert.equal(dynamic.contents[0].uri, 'demo://resource/dynamic/text/7');
  });

  it('gets a prompt with arguments', async () => {
    const { prompts } = await client.listPrompts();
    assert.ok(prompts.some((p) => p.name === 'ev__args-prompt'));
    const prompt = await client.getPrompt({ name: 'ev__args-prompt', arguments: { city: 'Lisbon', state: 'Lisboa' } });
    assert.match(JSON.stringify(prompt.messages), /Lisbon/);
  });

  it('answers an unknown tool, prompt or resource with a JSON-RPC error naming it', async () => {
    await assert.rejects(client.callTool({ name: 'ev__no-such-tool', arguments: {} }), (error: Error & { code?: number }) => {
      assert.equal(error.code, -32602);
      assert.match(error.message, /Unknown tool: ev__no-such-tool/);
      return true;
    });
    await assert.rejects(client.getPrompt({ name: 'nope' }), /Unknown prompt: nope/);
    await assert.rejects(client.readResource({ uri: 'nowhere://x' }), /Resource not found: nowhere:\/\/x/);
  });
}

describe('aggregation over stdio (as Claude Desktop runs it)', function () {
  const file = writeConfig(config);
  behavesAsOneServer(async () => (await connectStdio(file)).client);

  it('leaves no child process behind when the client goes away', async () => {
    const { client, pid } = await connectStdio(file);
    await client.listTools();
    const proxyPid = pid()!;
    const upstreams = childrenOf(proxyPid);
    assert.equal(upstreams.length, 3, 'one child per stdio upstream');
    await client.close();
    assert.ok(await waitFor(() => !alive(proxyPid)), 'the proxy exits when its client closes stdin');
    assert.ok(await waitFor(() => upstreams.every((p) => !alive(p))), 'every upstream child has exited');
  });
});

describe('aggregation over Streamable HTTP', function () {
  let proxy: HttpProxy;
  before(async () => {
    // Without spares: the process counts below are the sessions' own.
    const upstreams = Object.fromEntries(Object.entries(config.upstreams).map(([name, upstream]) => [name, { ...upstream, spares: 0 }]));
    proxy = await startHttpProxy(writeConfig({ ...config, upstreams }));
  });
  after(async () => proxy?.stop());

  behavesAsOneServer(async () => (await connectHttp(proxy.url)).client);

  it('gives two clients two sessions, each with its own upstream processes', async () => {
    const before = childrenOf(proxy.child.pid!);
    const a = await connectHttp(proxy.url);
    const b = await connectHttp(proxy.url);
    try {
      assert.ok(a.transport.sessionId && b.transport.sessionId);
      assert.notEqual(a.transport.sessionId, b.transport.sessionId);
      await Promise.all([a.client.listTools(), b.client.listTools()]);
      assert.equal(childrenOf(proxy.child.pid!).length - before.length, 6, 'three upstream children per session');
      const [ra, rb] = await Promise.all([
        a.client.callTool({ name: 'ev__echo', arguments: { message: 'from a' } }),
        b.client.callTool({ name: 'ev__echo', arguments: { message: 'from b' } }),
      ]);
      assert.equal(text(ra), 'Echo: from a');
      assert.equal(text(rb), 'Echo: from b');
    } finally {
      await a.transport.terminateSession();
      await b.transport.terminateSession();
    }
    assert.ok(await waitFor(() => childrenOf(proxy.child.pid!).length === before.length), 'ended sessions release their children');
  });

  it('ends a session on DELETE and answers its id with 404 afterwards', async () => {
    const { client, transport } = await connectHttp(proxy.url);
    await client.listTools();
    const sessionId = transport.sessionId!;
    await transport.terminateSession();
    const response = await postJsonRpc(proxy.url, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'mcp-session-id': sessionId });
    assert.equal(response.status, 404);
    const body = (await response.json()) as { error: { message: string } };
    assert.match(body.error.message, /Session not found/);
  });

  it('refuses a request without a session that is not an initialize', async () => {
    const response = await postJsonRpc(proxy.url, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    assert.equal(response.status, 400);
  });

  it('stops on SIGTERM with sessions open, taking every upstream child with it', async () => {
    const own = await startHttpProxy(writeConfig(config));
    const { client } = await connectHttp(own.url);
    await client.listTools();
    // The session's three, and a warm spare of each for the next session.
    assert.ok(await waitFor(() => childrenOf(own.child.pid!).length === 6), `children: ${childrenOf(own.child.pid!).join(', ')}`);
    const upstreams = childrenOf(own.child.pid!);
    await own.stop(); // SIGTERM, then waits for the proxy to exit
    assert.ok(await waitFor(() => upstreams.every((pid) => !alive(pid))), 'no upstream child outlives the proxy');
    await client.close();
  });
});
