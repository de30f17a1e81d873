// vCon recording of 2026-07-28 clients over HTTP: they have no session, so the proxy records one
// vCon per client identity and client name per idle window (server.sessionIdleMs), with the same
// parties and dialogs as a 2025-11-25 session's. The real proxy in front of server-everything and
// server-memory, real SDK v2 clients speaking 2026-07-28.
import type { Client, JSONRPCMessage } from '@modelcontextprotocol/client';
import { Client as SdkClient, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import path from 'node:path';
import { vconProblems } from '../../src/vcon/validate.js';
import type { Vcon } from '../../src/vcon/types.js';
import { serverPackage } from '../helpers/paths.js';
import { startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';
import { text } from '../helpers/results.js';
import { everything } from '../helpers/upstreams.js';
import { vconsIn, watchMessages } from '../helpers/vcons.js';
import { waitUntil } from '../helpers/wait.js';

/** A 2026-07-28 client on `url`, and every message it sent or received. */
async function modernClient(url: string, name: string): Promise<{ client: Client; seen: JSONRPCMessage[] }> {
  const transport = new StreamableHTTPClientTransport(new URL(url));
  const seen = watchMessages(transport);
  const client = new SdkClient({ name, version: '2.7.1' }, { capabilities: {}, versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(transport);
  return { client, seen };
}

const idOf = (message: JSONRPCMessage) => (message as { id?: unknown }).id;

describe('vCon recording of 2026-07-28 clients over HTTP', function () {
  this.timeout(90_000);
  let proxy: HttpProxy;
  let dir: string;
  before(async () => {
    const configFile = writeConfig({
      // The idle window: a 2026-07-28 client that sends nothing for this long has its vCon closed.
      server: { name: 'mcproxy', sessionIdleMs: 3_000 },
      upstreams: {
        everything: { ...everything, namespace: 'ev' },
        memory: { command: process.execPath, args: [serverPackage('memory')], env: { MEMORY_FILE_PATH: '/dev/null' }, namespace: 'mem' },
      },
      vcon: { dir: './vcons' },
    });
    dir = path.join(path.dirname(configFile), 'vcons');
    proxy = await startHttpProxy(configFile);
  });
  after(async () => proxy?.stop());

  it('records each client name as one valid vCon per idle window, with the client and each upstream as parties', async () => {
    const alice = await modernClient(proxy.url, 'modern-alice');
    await alice.client.listTools();
    assert.equal(text(await alice.client.callTool({ name: 'ev__echo', arguments: { message: 'recorded without a session' } })), 'Echo: recorded without a session');
    await alice.client.callTool({ name: 'mem__read_graph', arguments: {} });
    const bob = await modernClient(proxy.url, 'modern-bob');
    assert.match(text(await bob.client.callTool({ name: 'ev__echo', arguments: { message: 'from bob' } })), /from bob/);
    await alice.client.close();
    await bob.client.close();

    await waitUntil(() => vconsIn(dir).length >= 2, 'a vCon for each client once its idle window ends', 30_000);
    const vcons = vconsIn(dir);
    assert.equal(vcons.length, 2, vcons.map((v) => v.subject).join(', '));
    const byClient = (name: string) => vcons.find((v) => v.parties[0].name === name) as Vcon;
    const [aliceVcon, bobVcon] = [byClient('modern-alice'), byClient('modern-bob')];
    assert.ok(aliceVcon && bobVcon, 'one vCon per client name');

    for (const vcon of vcons) assert.deepEqual(vconProblems(vcon), [], 'it passes the IETF schema and the core rules');
    assert.equal(aliceVcon.subject, 'MCP session: modern-alice via mcproxy');
    assert.deepEqual(aliceVcon.parties.map((p) => p.name), ['modern-alice', 'everything', 'memory']);
    assert.deepEqual(aliceVcon.parties[0].meta, { mcp_role: 'client', client_info: { name: 'modern-alice', version: '2.7.1' }, protocol_version: '2026-07-28' });
    assert.deepEqual(bobVcon.parties.map((p) => p.name), ['modern-bob', 'everything']);

    // One dialog per message that crossed between the client and the proxy (its discover probe too), nothing of the other client.
    const recorded = aliceVcon.dialog!.map((d) => JSON.parse(d.body!) as JSONRPCMessage);
    assert.deepEqual(recorded.map(idOf).sort(), alice.seen.map(idOf).sort());
    assert.doesNotMatch(JSON.stringify(aliceVcon), /from bob/);
    const find = (predicate: (body: Record<string, any>, meta: Record<string, unknown>) => boolean) =>
      aliceVcon.dialog!.filter((d) => predicate(JSON.parse(d.body!), d.meta!));
    const [discover] = find((b) => b.method === 'server/discover');
    assert.deepEqual(discover.parties, [0], 'the proxy answers server/discover itself');
    const [echo] = find((b) => b.params?.name === 'ev__echo');
    assert.deepEqual(echo.parties, [0, 1]);
    assert.equal(echo.meta!.upstream, 'everything');
    assert.equal(echo.meta!.original_name, 'echo');
    const [echoAnswer] = find((b, m) => m.mcp_type === 'response' && b.id === JSON.parse(echo.body!).id);
    assert.deepEqual(echoAnswer.parties, [1, 0]);
    assert.match(echoAnswer.body!, /recorded without a session/);
    const [graph] = find((b) => b.params?.name === 'mem__read_graph');
    assert.deepEqual(graph.parties, [0, 2]);
    assert.equal(JSON.parse(aliceVcon.analysis![0].body!).tool_calls, 2);

    // The same client after its idle window: a new vCon.
    const again = await modernClient(proxy.url, 'modern-alice');
    await again.client.callTool({ name: 'ev__echo', arguments: { message: 'the next window' } });
    await again.client.close();
    await waitUntil(() => vconsIn(dir).length === 3, 'a second vCon for the same client after its idle window', 30_000);
    const next = vconsIn(dir).find((v) => !vcons.some((earlier) => earlier.uuid === v.uuid))!;
    assert.deepEqual(next.parties.map((p) => p.name), ['modern-alice', 'everything']);
    assert.match(JSON.stringify(next.dialog), /the next window/);
    assert.doesNotMatch(JSON.stringify(next.dialog), /recorded without a session/);
  });
});
