// Tool search end to end: the real proxy process in search mode in front of server-everything,
// server-memory and the changing-tools fixture, the real SDK client over stdio and HTTP.
// tools/list holds search_tools, call_tool and the pinned tools; a search finds what policy
// lets through; call_tool goes exactly where a direct call would, with progress, sampling and
// cancellation; bad input gets errors a model can act on.
import type { Client } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serverPackage } from '../helpers/paths.js';
import { connectHttp, connectStdio, startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';
import { text } from '../helpers/results.js';
import { changing, everything } from '../helpers/upstreams.js';
import { vconsIn } from '../helpers/vcons.js';
import { waitUntil } from '../helpers/wait.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-search-'));

function searchConfig(defaultProfile?: string) {
  return {
    server: defaultProfile ? { defaultProfile } : {},
    upstreams: {
      everything: { ...everything, namespace: 'ev', tools: { block: ['get-env'] } },
      memory: { command: process.execPath, args: [serverPackage('memory')], env: { MEMORY_FILE_PATH: path.join(dataDir, 'memory.jsonl') }, namespace: 'mem' },
      changing: { ...changing, namespace: 'chg' },
    },
    toolSearch: { enabled: true, pinned: ['mem__read_*'] },
    profiles: {
      careful: { toolSearch: { pinned: ['mem__delete_relations'], callTool: { allow: ['readOnly'] } } },
      dynamic: { toolSearch: { expose: 'dynamic', maxResults: 1 } },
      everything: { toolSearch: { enabled: false } },
    },
    vcon: { dir: './vcons' },
  };
}

type Found = { name: string; description?: string; inputSchema?: { properties?: Record<string, unknown> }; annotations?: Record<string, unknown> };

async function search(client: Client, query: unknown, limit?: number): Promise<Found[]> {
  const result = await client.callTool({ name: 'search_tools', arguments: limit === undefined ? { query } : { query, limit } });
  assert.ok(!result.isError, `search failed: ${text(result)}`);
  return (result.structuredContent as { tools: Found[] }).tools;
}

const names = (tools: { name: string }[]) => tools.map((tool) => tool.name);

type Connect = (profile?: string) => Promise<{ client: Client; close(): Promise<void> }>;

function searchMode(transport: string, connect: Connect) {
  describe(`search mode over ${transport}`, function () {
    this.timeout(60_000);
    let client: Client;
    let close: () => Promise<void>;
    before(async () => {
      ({ client, close } = await connect());
    });
    after(async () => close?.());

    it('lists only search_tools, call_tool and the pinned tools', async () => {
      assert.deepEqual(names((await client.listTools()).tools), ['search_tools', 'call_tool', 'mem__read_graph']);
    });

    it('finds get-sum for "add two numbers", with what a model needs to call it, and calls it', async () => {
      const [first, ...rest] = await search(client, 'add two numbers');
      assert.equal(first.name, 'ev__get-sum', `found ${names([first, ...rest]).join(', ')}`);
      assert.deepEqual(Object.keys(first.inputSchema!.properties!).sort(), ['a', 'b']);
      assert.equal(first.annotations!.readOnlyHint, true);
      const result = await client.callTool({ name: 'call_tool', arguments: { name: first.name, arguments: { a: 2, b: 3 } } });
      assert.match(text(result), /\b5\b/);
    });

    it('never finds nor calls a tool policy blocks', async () => {
      const found = names(await search(client, 'environment variables get env', 8));
      assert.ok(!found.includes('ev__get-env'), found.join(', '));
      const result = await client.callTool({ name: 'call_tool', arguments: { name: 'ev__get-env', arguments: {} } });
      assert.equal(result.isError, true);
      assert.match(text(result), /No tool named "ev__get-env"/);
    });

    it('refuses a direct call of a tool it does not list, saying to use call_tool; pinned tools are called directly', async () => {
      await assert.rejects(client.callTool({ name: 'ev__echo', arguments: { message: 'hi' } }), /call_tool/);
      const graph = await client.callTool({ name: 'mem__read_graph', arguments: {} });
      assert.ok(!graph.isError, text(graph));
    });

    it('carries progress through call_tool under the caller’s token', async () => {
      const seen: unknown[] = [];
      const result = await client.callTool(
        { name: 'call_tool', arguments: { name: 'ev__trigger-long-running-operation', arguments: { duration: 1, steps: 3 } } },
        { onprogress: (progress) => seen.push(progress) },
      );
      assert.ok(!result.isError, text(result));
      assert.ok(seen.length >= 2, `progress seen: ${JSON.stringify(seen)}`);
    });

    it('cancels the upstream call when the client cancels call_tool', async () => {
      const count = async () => (JSON.parse(text(await client.callTool({ name: 'call_tool', arguments: { name: 'chg__cancellations' } }))) as unknown[]).length;
      const before = await count();
      const controller = new AbortController();
      const call = client.callTool({ name: 'call_tool', arguments: { name: 'chg__sleep', arguments: { ms: 30_000 } } }, { signal: controller.signal });
      setTimeout(() => controller.abort('changed my mind'), 500);
      await assert.rejects(call);
      await waitUntil(async () => (await count()) === before + 1, 'the upstream to see the cancellation', 10_000);
    });

    it('answers bad input with errors a model can act on', async () => {
      const error = async (name: string, args: Record<string, unknown>) => {
        const result = await client.callTool({ name, arguments: args });
        assert.equal(result.isError, true, `expected an error, got ${text(result)}`);
        return text(result);
      };
      assert.match(await error('search_tools', { query: '  ' }), /needs a `query`/);
      assert.match(await error('search_tools', { query: 'files '.repeat(400) }), /at most 1000/);
      assert.match(await error('search_tools', { query: 'the of and' }), /no words to search for/);
      assert.match(await error('search_tools', { query: 'sum', limit: 0 }), /whole number from 1 to 8/);
      assert.match(await error('call_tool', {}), /needs `name`/);
      assert.match(await error('call_tool', { name: 'ev__get_sum' }), /No tool named "ev__get_sum".*Similar names: ev__get-sum/);
      assert.match(await error('call_tool', { name: 'ev__get-sum', arguments: { a: 'two', b: 3 } }), /`a` must be number.*input schema/);
      assert.match(await error('call_tool', { name: 'ev__get-sum', arguments: { a: 1 } }), /missing required argument `b`/);
      assert.match(await error('call_tool', { name: 'ev__get-sum', arguments: [1, 2] }), /`arguments` must be an object/);
    });
  });
}

/** Dynamic exposure, on a client of the `dynamic` profile. */
function dynamicExposure(connect: Connect) {
  it('with expose: dynamic, adds found tools to the session’s list and evicts the least recently used', async () => {
    const { client, close } = await connect('dynamic');
    let changes = 0;
    client.setNotificationHandler('notifications/tools/list_changed', () => void changes++);
    const listed = async () => names((await client.listTools()).tools).slice(3);
    assert.deepEqual(await listed(), []);
    const queries = ['add two numbers', 'echo a message back', 'tiny image', 'long running operation with progress', 'delete relations'];
    const found: string[] = [];
    for (const query of queries) {
      const before = changes;
      found.push((await search(client, query))[0].name);
      await waitUntil(() => changes > before, `list_changed after "${query}"`);
    }
    assert.equal(new Set(found).size, 5, found.join(', '));
    // maxResults 1: the list keeps four found tools; the first one found went out.
    assert.deepEqual(await listed(), found.slice(1));
    // A listed found tool is called directly; a call makes it recently used.
    assert.match(text(await client.callTool({ name: found[1], arguments: { message: 'direct' } })), /direct/);
    await search(client, 'add two numbers');
    // Found again, the first one is back; the least recently used (the third) goes.
    assert.deepEqual(await listed(), [found[3], found[4], found[1], found[0]]);
    await close();
  });
}

/**
 * A 2026-07-28 client of the `dynamic` profile: that era forbids tool lists that vary per
 * connection, so its list stays the meta-tools and pinned tools whatever its searches find.
 */
function modernClient(connect: Connect) {
  it('gives a 2026-07-28 client the meta-tools and pinned tools alone, even with expose: dynamic', async () => {
    const { client, close } = await connect('dynamic');
    const listed = async () => names((await client.listTools()).tools);
    assert.deepEqual(await listed(), ['search_tools', 'call_tool', 'mem__read_graph']);
    const [first] = await search(client, 'add two numbers');
    assert.equal(first.name, 'ev__get-sum');
    assert.deepEqual(await listed(), ['search_tools', 'call_tool', 'mem__read_graph'], 'a search exposes nothing');
    await assert.rejects(client.callTool({ name: first.name, arguments: { a: 2, b: 3 } }), /call_tool/);
    assert.match(text(await client.callTool({ name: 'call_tool', arguments: { name: first.name, arguments: { a: 2, b: 3 } } })), /\b5\b/);
    assert.ok(!(await client.callTool({ name: 'mem__read_graph', arguments: {} })).isError, 'pinned tools are called directly');
    assert.deepEqual(await listed(), ['search_tools', 'call_tool', 'mem__read_graph'], 'a call exposes nothing');
    await close();
  });
}

describe('tool search', function () {
  this.timeout(90_000);

  searchMode('stdio', async (profile) => {
    const { client } = await connectStdio(writeConfig(searchConfig(profile)));
    return { client, close: () => client.close() };
  });

  describe('one HTTP proxy, several profiles', () => {
    let proxy: HttpProxy;
    before(async () => {
      proxy = await startHttpProxy(writeConfig(searchConfig()));
    });
    after(async () => proxy?.stop());
    searchMode('HTTP', async (profile) => {
      const { client, transport } = await connectHttp(profile ? `${proxy.url}/${profile}` : proxy.url);
      return { client, close: async () => (await transport.terminateSession().catch(() => {}), await client.close()) };
    });
    dynamicExposure(async (profile) => {
      const { client, transport } = await connectHttp(`${proxy.url}/${profile}`);
      return { client, close: async () => (await transport.terminateSession().catch(() => {}), await client.close()) };
    });

    modernClient(async (profile) => {
      const { client } = await connectHttp(`${proxy.url}/${profile}`, { era: 'modern' });
      return { client, close: () => client.close() };
    });

    it('relays sampling an upstream asks for during call_tool', async () => {
      const { client, transport } = await connectHttp(proxy.url, { capabilities: { sampling: {} } });
      const asked: unknown[] = [];
      client.setRequestHandler('sampling/createMessage', async (request) => {
        asked.push(request.params);
        return { role: 'assistant', content: { type: 'text', text: 'sampled over http' }, model: 'test-model' };
      });
      const result = await client.callTool({ name: 'call_tool', arguments: { name: 'chg__ask-sampling' } });
      assert.match(text(result), /sampled over http/);
      assert.equal(asked.length, 1);
      await transport.terminateSession().catch(() => {});
      await client.close();
    });

    it('a profile without search mode lists the whole catalog', async () => {
      const { client, transport } = await connectHttp(`${proxy.url}/everything`);
      const listed = names((await client.listTools()).tools);
      assert.ok(listed.includes('ev__get-sum') && listed.includes('chg__sleep') && !listed.includes('search_tools'), listed.join(', '));
      await transport.terminateSession().catch(() => {});
      await client.close();
    });
  });

  it('relays sampling an upstream asks for during call_tool', async () => {
    const { client } = await connectStdio(writeConfig(searchConfig()), { capabilities: { sampling: {} } });
    client.setRequestHandler('sampling/createMessage', async () => ({ role: 'assistant', content: { type: 'text', text: 'sampled hi' }, model: 'test-model' }));
    const result = await client.callTool({ name: 'call_tool', arguments: { name: 'chg__ask-sampling' } });
    assert.match(text(result), /sampled hi/);
    await client.close();
  });

  it('updates the index on list_changed, and says when a found tool went away', async () => {
    const { client } = await connectStdio(writeConfig(searchConfig()));
    let changes = 0;
    client.setNotificationHandler('notifications/tools/list_changed', () => void changes++);
    assert.ok(!names(await search(client, 'zebra feeder')).includes('chg__zebra-feeder'));
    await client.callTool({ name: 'call_tool', arguments: { name: 'chg__add-tool', arguments: { name: 'zebra-feeder', reply: 'zebras fed' } } });
    await waitUntil(() => changes > 0, 'tools/list_changed');
    const found = await search(client, 'zebra feeder');
    assert.equal(found[0]?.name, 'chg__zebra-feeder');
    assert.equal(text(await client.callTool({ name: 'call_tool', arguments: { name: 'chg__zebra-feeder' } })), 'zebras fed');
    await client.callTool({ name: 'call_tool', arguments: { name: 'chg__remove-tool', arguments: { name: 'zebra-feeder' } } });
    await waitUntil(() => changes > 1, 'a second tools/list_changed');
    assert.ok(!names(await search(client, 'zebra feeder')).includes('chg__zebra-feeder'));
    const gone = await client.callTool({ name: 'call_tool', arguments: { name: 'chg__zebra-feeder' } });
    assert.equal(gone.isError, true);
    assert.match(text(gone), /no longer offered.*Search again/);
    await client.close();
  });

  it('with callTool.allow [readOnly], neither finds nor calls destructive tools, unless pinned', async () => {
    const { client } = await connectStdio(writeConfig(searchConfig('careful')));
    assert.deepEqual(names((await client.listTools()).tools), ['search_tools', 'call_tool', 'mem__delete_relations']);
    const found = names(await search(client, 'delete entities from the knowledge graph'));
    assert.ok(!found.includes('mem__delete_entities'), found.join(', '));
    assert.ok(found.includes('mem__delete_relations'), `pinned tools are found: ${found.join(', ')}`);
    const refused = await client.callTool({ name: 'call_tool', arguments: { name: 'mem__delete_entities', arguments: { entityNames: ['x'] } } });
    assert.equal(refused.isError, true);
    assert.match(text(refused), /may not be called here.*readOnly/);
    const pinned = await client.callTool({ name: 'call_tool', arguments: { name: 'mem__delete_relations', arguments: { relations: [] } } });
    assert.ok(!pinned.isError, text(pinned));
    await client.close();
  });

  describe('over stdio', () => {
    dynamicExposure(async (profile) => {
      const { client } = await connectStdio(writeConfig(searchConfig(profile)));
      return { client, close: () => client.close() };
    });
    modernClient(async (profile) => {
      const { client } = await connectStdio(writeConfig(searchConfig(profile)), { era: 'modern' });
      return { client, close: () => client.close() };
    });
  });

  it('records call_tool in the vCon with the tool’s own exposed name and route', async () => {
    const configFile = writeConfig(searchConfig());
    const { client } = await connectStdio(configFile);
    await client.callTool({ name: 'call_tool', arguments: { name: 'ev__get-sum', arguments: { a: 1, b: 2 } } });
    await client.close();
    const dir = path.join(path.dirname(configFile), 'vcons');
    await waitUntil(() => vconsIn(dir).length > 0, 'the vCon');
    const [vcon] = vconsIn(dir);
    const call = vcon.dialog!.find((d) => JSON.parse(d.body!).params?.name === 'call_tool')!;
    assert.equal(call.meta!.tool_name, 'ev__get-sum');
    assert.equal(call.meta!.original_name, 'get-sum');
    assert.equal(call.meta!.upstream, 'everything');
  });
});
