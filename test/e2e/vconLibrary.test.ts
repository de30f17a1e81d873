// The recorder as a library (the package entry), around single SDK servers: the example in
// examples/ as a real child process, and VconMcpProxy in process for the session lifecycle.
import { InMemoryTransport, McpServer } from '@modelcontextprotocol/server';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { VconMcpProxy, vconProblems } from '../../src/index.js';
import type { Vcon } from '../../src/vcon/types.js';
import { startConserver, type ConserverDouble } from '../helpers/conserver.js';
import { ROOT } from '../helpers/paths.js';
import { text } from '../helpers/results.js';
import { tagsOf, vconsIn } from '../helpers/vcons.js';
import { waitUntil } from '../helpers/wait.js';

const TOKEN = 'library-test-token';
const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'mcproxy-vcon-lib-'));

describe('vCon library (VconMcpProxy)', function () {
  this.timeout(30_000);
  let conserver: ConserverDouble;
  beforeEach(async () => {
    conserver = await startConserver({ token: TOKEN });
  });
  afterEach(async () => conserver?.close());

  it('records the example wrapped server: client and server parties, delivered with the ingress list', async () => {
    const dir = tempDir();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [path.join(ROOT, 'examples/vcon-wrapped-server.mjs')],
      cwd: ROOT,
      stderr: 'ignore',
      env: { ...process.env, VCON_DIR: dir, CONSERVER_URL: conserver.url, CONSERVER_API_TOKEN: TOKEN } as Record<string, string>,
    });
    const client = new Client({ name: 'library-client', version: '1.0.0' });
    await client.connect(transport);
    assert.equal(text(await client.callTool({ name: 'forecast', arguments: { city: 'Lisbon' } })), 'Sunny in Lisbon');
    await client.close();

    await waitUntil(() => conserver.received.length === 1, 'the vCon at the conserver', 15_000);
    assert.deepEqual(conserver.received[0].ingressLists, ['mcp_sessions']);
    assert.equal(conserver.received[0].token, TOKEN);
    const [vcon] = vconsIn(dir);
    assert.deepEqual(vconProblems(vcon), []);
    assert.deepEqual(vcon.parties.map((p) => p.name), ['library-client', 'weather']);
    assert.deepEqual((vcon.parties[1].meta as { server_info: unknown }).server_info, { name: 'weather-example', version: '1.0.0' });
    const call = vcon.dialog!.findIndex((d) => d.meta!.mcp_method === 'tools/call');
    assert.deepEqual(vcon.dialog![call].parties, [0, 1]);
    assert.deepEqual(vcon.dialog![call + 1].parties, [1, 0]);
    assert.equal(vcon.dialog![call + 1].meta!.mcp_type, 'response', 'a server→client answer is a response, with its method');
    assert.equal(vcon.dialog![call + 1].meta!.mcp_method, 'tools/call');
    assert.ok(tagsOf(vcon).includes('example:wrapped-server'));
  });

  /** An SDK server with one tool, wrapped by `recorder`, and a connected SDK client. */
  async function wrappedSession(recorder: VconMcpProxy, sessionId: string) {
    const server = new McpServer({ name: 'counter', version: '2.0.0' });
    let count = 0;
    server.registerTool('increment', { inputSchema: z.object({ by: z.number() }) }, async ({ by }) => ({ content: [{ type: 'text', text: String((count += by)) }] }));
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(recorder.wrapTransport(serverSide, sessionId));
    const client = new Client({ name: 'lifecycle-client', version: '1.0.0' });
    await client.connect(clientSide);
    return client;
  }

  it('rolls over at maxMessages into vCons chained by `amended`, losing nothing, with the library events', async () => {
    const dir = tempDir();
    const recorder = new VconMcpProxy({ conserver: { url: conserver.url, apiToken: TOKEN }, session: { maxMessages: 4 }, vcon: { dir, serverName: 'counter' } });
    const events: string[] = [];
    for (const name of ['session:start', 'session:end', 'vcon:created', 'vcon:posted', 'vcon:error']) recorder.on(name, () => events.push(name));
    assert.ok(await recorder.getConserverClient()!.healthCheck(), 'GET …/api/health beside the POST URL');
    const client = await wrappedSession(recorder, 'session-a');
    assert.deepEqual(recorder.getSessionManager().ids(), ['session-a']);
    for (const by of [1, 2, 3]) await client.callTool({ name: 'increment', arguments: { by } });
    await recorder.endSession('session-a');
    await recorder.shutdown();

    // initialize ×2, initialized, then 3 × (call, answer) = 9 messages: 4 + 4 + 1, in `amended` order.
    const found = vconsIn(dir);
    const vcons = [found.find((v) => !v.amended)!];
    while (vcons.length < found.length) vcons.push(found.find((v) => v.amended?.uuid === vcons.at(-1)!.uuid)!);
    assert.equal(found.length, 3);
    assert.deepEqual(vcons.map((v) => v.dialog!.length), [4, 4, 1]);
    assert.equal(vcons[0].amended, undefined);
    assert.deepEqual(vcons[1].amended, { uuid: vcons[0].uuid });
    assert.deepEqual(vcons[2].amended, { uuid: vcons[1].uuid });
    for (const vcon of vcons) assert.deepEqual(vconProblems(vcon), []);
    assert.deepEqual(vcons.flatMap((v) => v.dialog!.map((d) => d.meta!.mcp_method)), [
      'initialize', 'initialize', 'notifications/initialized', 'tools/call', 'tools/call', 'tools/call', 'tools/call', 'tools/call', 'tools/call',
    ]);
    assert.deepEqual(new Set(conserver.stored.keys()), new Set(vcons.map((v) => v.uuid)));
    assert.deepEqual(events.filter((e) => e.startsWith('session')), ['session:start', 'session:end']);
    assert.equal(events.filter((e) => e === 'vcon:created').length, 3);
    assert.equal(events.filter((e) => e === 'vcon:posted').length, 3);
    assert.ok(!events.includes('vcon:error'));
    assert.equal(recorder.getConfig().conserver!.url, conserver.url);
    assert.equal(recorder.getConfig().session.maxMessages, 4);
    assert.equal(recorder.getConfig().session.maxInlineContentSize, 100_000, 'defaults fill the rest');
  });

  it('closes an idle session’s vCon after session.timeoutMs and continues it in an amended one', async () => {
    const dir = tempDir();
    const recorder = new VconMcpProxy({ session: { timeoutMs: 150 }, vcon: { dir } });
    const created: Vcon[] = [];
    recorder.on('vcon:created', ({ vcon }: { vcon: Vcon }) => created.push(vcon));
    const client = await wrappedSession(recorder, 'idle-session');
    await client.callTool({ name: 'increment', arguments: { by: 1 } });
    await waitUntil(() => created.length === 1, 'the idle vCon to close');
    await client.callTool({ name: 'increment', arguments: { by: 1 } });
    await recorder.shutdown();
    assert.equal(created.length, 2);
    assert.deepEqual(created[1].amended, { uuid: created[0].uuid });
    assert.deepEqual(created[1].dialog!.map((d) => d.meta!.mcp_type), ['request', 'response']);
    assert.equal(recorder.getConserverClient(), undefined, 'no conserver without a URL');
  });
});
