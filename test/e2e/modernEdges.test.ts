// The edges of the 2026-07-28 HTTP endpoint, through mcproxy in front of the dual-era SDK v2
// fixture served modern-only (so it checks every header itself): Mcp-Param-* headers checked
// downstream and sent upstream, an unknown method's 404, caching hints; and MCP Apps from two
// copies of the fixture over stdio (`--apps`), whose UI resource URIs collide.
import type { Client } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { postAndRead as post } from '../helpers/jsonrpc.js';
import { fixture as stdioFixture, startHttpFixture } from '../helpers/upstreams.js';
import { connectHttp, startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';
import { text } from '../helpers/results.js';

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw-client', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

/** A 2026-07-28 tools/call as the wire carries it, with `extra` headers (Mcp-Param-*). */
function callOnWire(url: string, id: number, name: string, args: Record<string, unknown>, extra: Record<string, string> = {}) {
  const headers = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': name, ...extra };
  return post(url, { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args, _meta: ENVELOPE } }, headers);
}

describe('the 2026-07-28 HTTP edges, in front of a modern-only upstream', function () {
  this.timeout(60_000);
  let fixture: { url: string; child: ChildProcess };
  let proxy: HttpProxy;
  let client: Client;

  before(async () => {
    fixture = await startHttpFixture('modern-server', '--modern-only');
    proxy = await startHttpProxy(
      writeConfig({
        upstreams: {
          modern: { url: fixture.url, protocol: 'auto', namespace: 'm', tools: { rename: { test_x_mcp_header: 'regional' } } },
          // The same server again, with the mirrored argument pinned by policy: hidden from clients, sent upstream.
          pinned: { url: fixture.url, protocol: 'modern', namespace: 'p', tools: { allow: ['test_x_mcp_header'], arguments: { test_x_mcp_header: { region: 'eu-pinned' } } } },
          // Two MCP App servers: the widget tools each keep one of, and one both block.
          appA: { ...stdioFixture('modern-server', '--stdio', '--apps'), protocol: 'auto', namespace: 'a', tools: { block: ['widget_admin'] } },
          appB: { ...stdioFixture('modern-server', '--stdio', '--apps'), protocol: 'auto', namespace: 'b', tools: { block: ['widget_admin', 'widget_refresh'] } },
        },
      }),
    );
    client = (await connectHttp(proxy.url, { era: 'modern', capabilities: { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } } })).client;
  });
  after(async () => {
    await client?.close();
    await proxy?.stop();
    fixture?.child.kill();
  });

  it('keeps x-mcp-header in the schema of a renamed tool, and carries the header both ways', async () => {
    const { tools } = await client.listTools();
    const regional = tools.find((tool) => tool.name === 'regional');
    assert.equal((regional?.inputSchema.properties?.region as Record<string, unknown> | undefined)?.['x-mcp-header'], 'Region', JSON.stringify(regional));
    // The SDK client mirrors region into Mcp-Param-Region; mcproxy checks it, and the upstream (which refuses a call without it) gets its own.
    assert.equal(text(await client.callTool({ name: 'regional', arguments: { region: 'us-west1' } })), 'region=us-west1');
    assert.equal(text(await client.callTool({ name: 'regional', arguments: { region: 'zürich ' } })), 'region=zürich ');
  });

  it('sends the upstream the header of an argument pinned by policy', async () => {
    const { tools } = await client.listTools();
    const pinned = tools.find((tool) => tool.name === 'p__test_x_mcp_header');
    assert.ok(pinned && !('region' in (pinned.inputSchema.properties ?? {})), JSON.stringify(pinned));
    assert.equal(text(await client.callTool({ name: 'p__test_x_mcp_header', arguments: {} })), 'region=eu-pinned');
  });

  it('refuses a call whose Mcp-Param header contradicts its body with 400 and -32020', async () => {
    const wrong = await callOnWire(proxy.url, 1, 'regional', { region: 'us-west1' }, { 'mcp-param-region': 'eu-west1' });
    assert.equal(wrong.status, 400, JSON.stringify(wrong.message));
    assert.equal(wrong.message.error.code, -32020);
    assert.equal(wrong.message.id, 1);
    const missing = await callOnWire(proxy.url, 2, 'regional', { region: 'us-west1' });
    assert.equal(missing.status, 400, JSON.stringify(missing.message));
    assert.match(missing.message.error.message, /Mcp-Param-Region header is absent/);
    const badBase64 = await callOnWire(proxy.url, 3, 'regional', { region: 'Hello' }, { 'mcp-param-region': '=?base64?SGVsbG8?=' });
    assert.equal(badBase64.status, 400, JSON.stringify(badBase64.message));
    assert.equal(badBase64.message.error.code, -32020);
  });

  it('accepts a Base64-wrapped header, and no header for an argument the body leaves out', async () => {
    const wrapped = await callOnWire(proxy.url, 4, 'regional', { region: 'Hello' }, { 'mcp-param-region': `=?base64?${Buffer.from('Hello').toString('base64')}?=` });
    assert.equal(wrapped.status, 200, JSON.stringify(wrapped.message));
    assert.equal(wrapped.message.result.content[0].text, 'region=Hello');
    const absent = await callOnWire(proxy.url, 5, 'regional', { level: 3 });
    assert.equal(absent.status, 200, JSON.stringify(absent.message));
    assert.equal(absent.message.result.content[0].text, 'region=<none>');
  });

  it('carries the upstream’s caching hints on lists and reads', async () => {
    const list = (id: number, method: string) =>
      post(proxy.url, { jsonrpc: '2.0', id, method, params: { _meta: ENVELOPE } }, { 'mcp-protocol-version': '2026-07-28', 'mcp-method': method });
    // The fixture says 60 s public for tools and 30 s public for resources, on both of its upstream entries.
    const tools = await list(10, 'tools/list');
    assert.deepEqual([tools.message.result.ttlMs, tools.message.result.cacheScope], [60_000, 'public'], JSON.stringify(tools.message).slice(0, 300));
    const resources = await list(11, 'resources/list');
    assert.deepEqual([resources.message.result.ttlMs, resources.message.result.cacheScope], [30_000, 'public']);
    const uri = (resources.message.result.resources as Array<{ uri: string }>).find((resource) => resource.uri === 'test://static-text')?.uri;
    assert.ok(uri, JSON.stringify(resources.message.result.resources));
    const read = await post(proxy.url, { jsonrpc: '2.0', id: 12, method: 'resources/read', params: { uri, _meta: ENVELOPE } }, { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'resources/read', 'mcp-name': uri });
    assert.equal(read.status, 200, JSON.stringify(read.message));
    // The fixture gives this resource no hint of its own: the upstream's careful default crosses as it is.
    assert.deepEqual([read.message.result.ttlMs, read.message.result.cacheScope], [0, 'private']);
  });

  it('leaves the hints off a 2025-11-25 session’s lists', async () => {
    const initialize = { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'legacy-raw', version: '1.0.0' } };
    const opened = await post(proxy.url, { jsonrpc: '2.0', id: 1, method: 'initialize', params: initialize });
    const session = { 'mcp-session-id': opened.sessionId!, 'mcp-protocol-version': '2025-11-25' };
    await post(proxy.url, { jsonrpc: '2.0', method: 'notifications/initialized' }, session);
    const tools = await post(proxy.url, { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} }, session);
    assert.ok(Array.isArray(tools.message.result?.tools), JSON.stringify(tools.message).slice(0, 300));
    assert.equal('ttlMs' in tools.message.result, false);
    await fetch(proxy.url, { method: 'DELETE', headers: session });
  });

  it('answers an unknown method with 404 and -32601', async () => {
    const headers = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'unknown/method' };
    const answer = await post(proxy.url, { jsonrpc: '2.0', id: 7, method: 'unknown/method', params: { _meta: ENVELOPE } }, headers);
    assert.equal(answer.status, 404, JSON.stringify(answer.message));
    assert.equal(answer.message.error.code, -32601);
    assert.equal(answer.message.id, 7);
  });

  it('keeps an app’s UI resource URI and the resource it names consistent when the URI is namespaced', async () => {
    const { tools } = await client.listTools();
    const uiOf = (name: string) => ((tools.find((tool) => tool.name === name)?._meta as Record<string, any> | undefined)?.ui?.resourceUri as string | undefined);
    // The first upstream keeps ui://widget/main.html; the second's is namespaced, in its tool and in resources/list alike.
    assert.equal(uiOf('a__show_widget'), 'ui://widget/main.html');
    const namespaced = uiOf('b__show_widget');
    assert.ok(namespaced?.startsWith('mcproxy://appB/'), namespaced);
    const { resources } = await client.listResources();
    assert.ok(resources.some((resource) => resource.uri === namespaced), resources.map((resource) => resource.uri).join(', '));
    const read = await client.readResource({ uri: namespaced! });
    assert.equal(read.contents[0].uri, namespaced);
    assert.match(String((read.contents[0] as { text?: string }).text), /widget/);
  });

  it('routes an app’s calls by its server’s own tool names, under the same policy', async () => {
    // widget_refresh: only appA lets it through, so the name is appA's.
    assert.equal(text(await client.callTool({ name: 'widget_refresh', arguments: {} })), 'widget_refresh ran');
    // Blocked on both: still unknown under the upstream's own name.
    await assert.rejects(client.callTool({ name: 'widget_admin', arguments: {} }), /Unknown tool: widget_admin/);
    // Both offer show_widget: the bare name is ambiguous and reaches neither.
    await assert.rejects(client.callTool({ name: 'show_widget', arguments: {} }), /Unknown tool: show_widget/);
  });

  it('passes the client’s extensions to the upstreams and declares the upstreams’ extensions', async () => {
    const whoami = JSON.parse(text(await client.callTool({ name: 'a__test_whoami', arguments: {} }))) as { clientCapabilities?: { extensions?: Record<string, unknown> } };
    assert.deepEqual(whoami.clientCapabilities?.extensions?.['io.modelcontextprotocol/ui'], { mimeTypes: ['text/html;profile=mcp-app'] }, JSON.stringify(whoami));
    // Declared once the process has met the upstreams (this client's own discover came first).
    const discover = await post(proxy.url, { jsonrpc: '2.0', id: 20, method: 'server/discover', params: { _meta: ENVELOPE } }, { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'server/discover' });
    assert.deepEqual(discover.message.result?.capabilities?.extensions, { 'io.modelcontextprotocol/ui': {} }, JSON.stringify(discover.message));
  });
});
