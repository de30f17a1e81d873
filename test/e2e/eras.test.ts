// Both protocol eras on one proxy: a 2026-07-28 client (server/discover, `_meta` on every
// request, no session) beside a 2025-11-25 one, in front of a legacy upstream (server-everything).
import type { Client } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import { connectHttp, connectStdio, startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';
import { postAndRead as post } from '../helpers/jsonrpc.js';
import { text } from '../helpers/results.js';
import { everything } from '../helpers/upstreams.js';

describe('a 2026-07-28 client over stdio, in front of a legacy upstream', function () {
  let client: Client;
  before(async () => {
    client = (await connectStdio(writeConfig({ upstreams: { everything: { ...everything, namespace: 'ev' } } }), { era: 'modern' })).client;
  });
  after(async () => client?.close());

  it('negotiates 2026-07-28 through server/discover, which names the proxy and its capabilities', () => {
    assert.equal(client.getProtocolEra(), 'modern');
    assert.equal(client.getNegotiatedProtocolVersion(), '2026-07-28');
    const discover = client.getDiscoverResult();
    assert.ok(discover?.supportedVersions.includes('2026-07-28'), JSON.stringify(discover));
    assert.ok(discover?.capabilities.tools, 'tools are served');
  });

  it('lists the aggregated catalog and calls a legacy upstream’s tool', async () => {
    const { tools } = await client.listTools();
    assert.ok(tools.some((tool) => tool.name === 'ev__echo'), tools.map((tool) => tool.name).join(', '));
    const result = await client.callTool({ name: 'ev__echo', arguments: { message: 'across eras' } });
    assert.match(text(result), /across eras/);
  });

  it('reads a resource and gets a prompt of the legacy upstream', async () => {
    const { resources } = await client.listResources();
    const first = resources.find((resource) => resource.uri.startsWith('demo://'));
    assert.ok(first, 'server-everything lists resources');
    const read = await client.readResource({ uri: first.uri });
    assert.equal(read.contents[0].uri, first.uri);
    const prompt = await client.getPrompt({ name: 'ev__simple-prompt' });
    assert.ok(prompt.messages.length > 0);
  });

  it('answers an unknown tool with the error a direct server gives', async () => {
    await assert.rejects(client.callTool({ name: 'ev__no-such-tool', arguments: {} }), /Unknown tool: ev__no-such-tool/);
  });
});

describe('server.protocols over stdio', function () {
  this.timeout(90_000); // each test starts the proxy twice, and a 2026-07-28 client's probe once more
  const config = (protocols: string[]) => writeConfig({ server: { protocols }, upstreams: { everything: { ...everything, namespace: 'ev' } } });

  it('[2026-07-28] alone refuses a 2025-11-25 client’s initialize and serves a 2026-07-28 client', async () => {
    const file = config(['2026-07-28']);
    await assert.rejects(connectStdio(file), /2026-07-28|protocol version/i);
    const modern = (await connectStdio(file, { era: 'modern' })).client;
    try {
      assert.ok((await modern.listTools()).tools.some((tool) => tool.name === 'ev__echo'));
    } finally {
      await modern.close();
    }
  });

  it('[2025-11-25] alone serves a 2025-11-25 client and gives a 2026-07-28 client no era to speak', async () => {
    const file = config(['2025-11-25']);
    const legacy = (await connectStdio(file)).client;
    try {
      assert.equal(legacy.getNegotiatedProtocolVersion(), '2025-11-25');
    } finally {
      await legacy.close();
    }
    await assert.rejects(connectStdio(file, { era: 'modern' }));
  });
});

const envelope = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw-client', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};
const modernHeaders = (method: string, name?: string) => ({ 'mcp-protocol-version': '2026-07-28', 'mcp-method': method, ...(name ? { 'mcp-name': name } : {}) });

describe('both eras on one HTTP endpoint, in front of a legacy upstream', function () {
  let proxy: HttpProxy;
  before(async () => {
    proxy = await startHttpProxy(writeConfig({ upstreams: { everything: { ...everything, namespace: 'ev' } } }));
  });
  after(async () => proxy?.stop());

  it('serves a 2026-07-28 client statelessly and a 2025-11-25 client with a session, side by side', async () => {
    const modern = (await connectHttp(proxy.url, { era: 'modern' })).client;
    const legacy = await connectHttp(proxy.url);
    try {
      assert.equal(modern.getProtocolEra(), 'modern');
      assert.ok(legacy.transport.sessionId, 'the 2025-11-25 client has a session');
      const [modernCall, legacyCall] = await Promise.all([
        modern.callTool({ name: 'ev__echo', arguments: { message: 'modern' } }),
        legacy.client.callTool({ name: 'ev__echo', arguments: { message: 'legacy' } }),
      ]);
      assert.match(text(modernCall), /modern/);
      assert.match(text(legacyCall), /legacy/);
      assert.ok((await modern.listTools()).tools.some((tool) => tool.name === 'ev__echo'));
    } finally {
      await modern.close();
      await legacy.client.close();
    }
  });

  it('answers a 2026-07-28 request with resultType and no Mcp-Session-Id', async () => {
    const answer = await post(proxy.url, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'ev__echo', arguments: { message: 'raw' }, _meta: envelope } }, modernHeaders('tools/call', 'ev__echo'));
    assert.equal(answer.status, 200, JSON.stringify(answer.message));
    assert.equal(answer.sessionId, null);
    assert.equal(answer.message.result.resultType, 'complete');
    assert.match(JSON.stringify(answer.message.result.content), /raw/);
  });

  it('answers server/discover for the aggregated catalog', async () => {
    const answer = await post(proxy.url, { jsonrpc: '2.0', id: 2, method: 'server/discover', params: { _meta: envelope } }, modernHeaders('server/discover'));
    assert.equal(answer.status, 200, JSON.stringify(answer.message));
    assert.ok(answer.message.result.supportedVersions.includes('2026-07-28'));
    assert.ok(answer.message.result.capabilities.tools);
  });

  it('refuses an Mcp-Method header that contradicts the body with 400 and -32020', async () => {
    const answer = await post(proxy.url, { jsonrpc: '2.0', id: 3, method: 'tools/list', params: { _meta: envelope } }, modernHeaders('prompts/list'));
    assert.equal(answer.status, 400);
    assert.equal(answer.message.error.code, -32020);
  });

  it('refuses an Mcp-Name header that contradicts the tool called with 400 and -32020', async () => {
    const body = { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'ev__echo', arguments: { message: 'x' }, _meta: envelope } };
    const answer = await post(proxy.url, body, modernHeaders('tools/call', 'ev__other'));
    assert.equal(answer.status, 400);
    assert.equal(answer.message.error.code, -32020);
  });

  it('refuses a 2026-07-28 request that lacks the required _meta with a JSON-RPC error', async () => {
    const answer = await post(proxy.url, { jsonrpc: '2.0', id: 5, method: 'tools/list', params: {} }, modernHeaders('tools/list'));
    assert.equal(answer.status, 400, JSON.stringify(answer.message));
    assert.ok(answer.message.error, JSON.stringify(answer.message));
  });

  it('answers an unsupported protocol version with -32022 and the versions it supports', async () => {
    const meta = { ...envelope, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' };
    const answer = await post(proxy.url, { jsonrpc: '2.0', id: 6, method: 'tools/list', params: { _meta: meta } }, { ...modernHeaders('tools/list'), 'mcp-protocol-version': '2099-01-01' });
    assert.equal(answer.message.error?.code, -32022, JSON.stringify(answer.message));
    assert.ok(answer.message.error.data.supported.includes('2026-07-28'));
  });
});

describe('server.protocols over HTTP', function () {
  this.timeout(60_000);
  it('[2026-07-28] alone answers an initialize with 400, -32022 and data.supported', async () => {
    const proxy = await startHttpProxy(writeConfig({ server: { protocols: ['2026-07-28'] }, upstreams: { everything: { ...everything, namespace: 'ev' } } }));
    try {
      const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'old', version: '1' } } };
      const answer = await post(proxy.url, initialize);
      assert.equal(answer.status, 400);
      assert.equal(answer.message.error.code, -32022);
      assert.deepEqual(answer.message.error.data.supported, ['2026-07-28']);
      const modern = (await connectHttp(proxy.url, { era: 'modern' })).client;
      assert.ok((await modern.listTools()).tools.length > 0);
      await modern.close();
    } finally {
      await proxy.stop();
    }
  });
});

describe('upstreams of either era: protocol auto | legacy | modern', function () {
  this.timeout(90_000);
  let inner: HttpProxy;
  before(async () => {
    // mcproxy over HTTP is itself a dual-era server: the modern upstream here.
    inner = await startHttpProxy(writeConfig({ upstreams: { everything: { ...everything, namespace: 'ev' } } }));
  });
  after(async () => inner?.stop());

  for (const era of ['legacy', 'modern'] as const) {
    it(`a ${era} client reaches a protocol: modern upstream, and one with protocol: auto (a legacy server)`, async () => {
      const file = writeConfig({
        upstreams: {
          inner: { url: inner.url, protocol: 'modern', namespace: 'in' },
          direct: { ...everything, protocol: 'auto', namespace: 'd' },
        },
      });
      const client = (await connectStdio(file, { era })).client;
      try {
        const names = (await client.listTools()).tools.map((tool) => tool.name);
        assert.ok(names.includes('in__ev__echo') && names.includes('d__echo'), names.join(', '));
        assert.match(text(await client.callTool({ name: 'in__ev__echo', arguments: { message: 'via modern' } })), /via modern/);
        assert.match(text(await client.callTool({ name: 'd__echo', arguments: { message: 'via auto' } })), /via auto/);
      } finally {
        await client.close();
      }
    });
  }
});
