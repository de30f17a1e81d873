// Both protocol eras on one proxy: a 2026-07-28 client (server/discover, `_meta` on every
// request, no session) beside a 2025-11-25 one, in front of a legacy upstream (server-everything).
import type { Client } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import { connectStdio, writeConfig } from '../helpers/proxy.js';
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
