// vCon recording end to end: the real proxy process in front of server-everything and
// server-memory, the real SDK client, and a conserver test double on 127.0.0.1.
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client } from '@modelcontextprotocol/client';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { vconProblems } from '../../src/vcon/validate.js';
import type { Vcon } from '../../src/vcon/types.js';
import { startConserver, type ConserverDouble } from '../helpers/conserver.js';
import { CLI, ROOT, serverPackage, SHARED } from '../helpers/paths.js';
import { connectHttp, startHttpProxy, writeConfig } from '../helpers/proxy.js';
import { text } from '../helpers/results.js';
import { everything } from '../helpers/upstreams.js';
import { waitUntil } from '../helpers/wait.js';
import { filesIn, runCli, tagsOf, vconsIn, watchMessages } from '../helpers/vcons.js';

const TOKEN = 'test-token-not-a-secret';

function twoUpstreams(vcon: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    server: { name: 'mcproxy' },
    upstreams: {
      everything: { ...everything, namespace: 'ev' },
      memory: { command: process.execPath, args: [serverPackage('memory')], env: { MEMORY_FILE_PATH: '/dev/null' }, namespace: 'mem' },
    },
    vcon,
    ...extra,
  };
}

/** A stdio proxy on `configFile` with a client that answers sampling; `seen` gets every message the client sent or received. */
async function stdioClient(configFile: string, env: Record<string, string> = {}) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, '--config', configFile],
    cwd: ROOT,
    stderr: process.env.MCPROXY_TEST_VERBOSE ? 'inherit' : 'ignore',
    env: { ...process.env, MCPROXY_LOG_LEVEL: 'warn', ...env } as Record<string, string>,
  });
  const seen = watchMessages(transport);
  const client = new Client({ name: 'vcon-test-client', version: '3.1.4' }, { capabilities: { sampling: {} } });
  client.setRequestHandler('sampling/createMessage', async () => ({ role: 'assistant', content: { type: 'text', text: 'a sampled answer' }, model: 'test-model' }));
  await client.connect(transport);
  return { client, transport, seen };
}

const bodyOf = (vcon: Vcon, index: number) => JSON.parse(vcon.dialog![index].body!);
/** Messages as sorted JSON texts with sorted keys: the same messages, whatever the key or arrival order. */
const canonical = (messages: unknown[]) => messages.map((m) => JSON.stringify(sortKeys(m))).sort();
const sortKeys = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(sortKeys)
    : value && typeof value === 'object'
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)]))
      : value;
const dirOf = (configFile: string) => path.join(path.dirname(configFile), 'vcons');

/**
 * Calls echo 4 at a time and `kill`s the proxy synchronously on the 40th answer, with others just
 * answered: the journal must hold what the client has, not what a timer got to. Returns the
 * answers the client had (filled as they come; calls in flight at the kill are not awaited).
 */
function callUntilKilled(client: Client, kill: () => void): string[] {
  const received: string[] = [];
  let sent = 0;
  let killed = false;
  const worker = async () => {
    while (!killed) {
      const message = `call ${++sent}`;
      const result = await client.callTool({ name: 'ev__echo', arguments: { message } }).catch(() => undefined);
      if (!result || killed) return;
      received.push(text(result));
      if (received.length === 40) {
        killed = true;
        kill();
      }
    }
  };
  void Promise.all([worker(), worker(), worker(), worker()]);
  return received;
}

/** A proxy started again on `configFile` recovers the killed one's journal: a valid vCon holding every answer in `received`. */
async function assertRecovered(configFile: string, received: string[]): Promise<void> {
  const second = await startHttpProxy(configFile);
  try {
    await waitUntil(() => vconsIn(dirOf(configFile)).length === 1, 'the recovered vCon', 15_000);
    const [vcon] = vconsIn(dirOf(configFile));
    assert.deepEqual(vconProblems(vcon), []);
    const responses = vcon.dialog!.filter((d) => d.meta!.mcp_method === 'tools/call' && d.meta!.mcp_type === 'response').map((d) => d.body!);
    const missing = received.filter((answer) => !responses.some((body) => body.includes(`"${answer}"`)));
    assert.ok(received.length >= 40, 'the client had its 40 answers');
    assert.deepEqual(missing, [], `every answer the client received is in the recovered vCon (${received.length} received)`);
  } finally {
    await second.stop();
  }
}

describe('vCon recording', function () {
  this.timeout(60_000);
  let conserver: ConserverDouble;
  beforeEach(async () => {
    conserver = await startConserver({ token: TOKEN });
  });
  afterEach(async () => conserver?.close());

  it('records a stdio session across two upstreams as one valid vCon, delivered to the conserver with token and ingress lists', async () => {
    const configFile = writeConfig(
      twoUpstreams({ dir: './vcons', conserver: { url: conserver.url, apiToken: '${CONSERVER_API_TOKEN}', ingressList: ['mcp_sessions', 'audit'] }, tags: { environment: 'test' } }),
    );
    const { client, seen } = await stdioClient(configFile, { CONSERVER_API_TOKEN: TOKEN });
    await client.listTools();
    assert.equal(text(await client.callTool({ name: 'ev__echo', arguments: { message: 'recorded hello' } })), 'Echo: recorded hello');
    await client.callTool({ name: 'mem__read_graph', arguments: {} });
    assert.match(text(await client.callTool({ name: 'ev__trigger-sampling-request', arguments: { prompt: 'sample me' } })), /a sampled answer/);
    await client.close();

    await waitUntil(() => conserver.received.length === 1, 'the conserver to receive the vCon', 15_000);
    const [post] = conserver.received;
    assert.equal(post.token, TOKEN, 'the token goes in x-conserver-api-token');
    assert.deepEqual(post.ingressLists, ['mcp_sessions', 'audit'], 'one ingress_lists query parameter per list');

    const [vcon] = vconsIn(dirOf(configFile));
    assert.ok(vcon, 'the vCon is written locally too');
    assert.deepEqual(post.vcon, vcon);
    assert.deepEqual(vconProblems(vcon), [], 'it passes the IETF schema and the core rules');
    assert.equal(vcon.vcon, '0.4.0');
    assert.equal(vcon.subject, 'MCP session: vcon-test-client via mcproxy');

    // 1 + N parties: the client, then each upstream in order of first appearance, with serverInfo.
    assert.deepEqual(vcon.parties.map((p) => p.name), ['vcon-test-client', 'everything', 'memory']);
    assert.deepEqual((vcon.parties[0].meta as { client_info: unknown }).client_info, { name: 'vcon-test-client', version: '3.1.4' });
    assert.equal((vcon.parties[2].meta as { server_info: { name: string } }).server_info.name, 'memory-server');

    // One dialog per message that crossed between the client and the proxy, bodies as sent or received.
    assert.deepEqual(canonical(vcon.dialog!.map((d) => JSON.parse(d.body!))), canonical(seen));

    const find = (predicate: (body: Record<string, any>, meta: Record<string, unknown>) => boolean) =>
      vcon.dialog!.filter((d) => predicate(JSON.parse(d.body!), d.meta!));
    const [initialize] = find((b) => b.method === 'initialize');
    assert.deepEqual(initialize.parties, [0], 'the proxy answers initialize itself');
    const [list] = find((b) => b.method === 'tools/list');
    assert.deepEqual(list.parties, [0]);
    const [echo] = find((b) => b.params?.name === 'ev__echo');
    assert.deepEqual(echo.parties, [0, 1]);
    assert.equal(echo.originator, 0);
    assert.deepEqual({ ...echo.meta, upstream_request_id: typeof echo.meta!.upstream_request_id }, {
      mcp_type: 'request',
      mcp_method: 'tools/call',
      request_id: bodyOf(vcon, vcon.dialog!.indexOf(echo)).id,
      upstream: 'everything',
      original_name: 'echo',
      upstream_request_id: 'number',
    });
    const [echoAnswer] = find((b, m) => m.mcp_type === 'response' && b.id === JSON.parse(echo.body!).id);
    assert.deepEqual(echoAnswer.parties, [1, 0]);
    assert.equal(echoAnswer.meta!.mcp_method, 'tools/call', 'a response carries its request method');
    const [graph] = find((b) => b.params?.name === 'mem__read_graph');
    assert.deepEqual(graph.parties, [0, 2]);
    const [sampling] = find((b) => b.method === 'sampling/createMessage');
    assert.deepEqual(sampling.parties, [1, 0], 'a sampling request from everything is originated by everything');
    assert.equal(sampling.originator, 1);
    const [samplingAnswer] = find((b, m) => m.mcp_method === 'sampling/createMessage' && m.mcp_type === 'response');
    assert.deepEqual(samplingAnswer.parties, [0, 1]);

    const summary = JSON.parse(vcon.analysis![0].body!);
    assert.equal(summary.tool_calls, 3);
    assert.equal(summary.message_count, seen.length);
    const tags = tagsOf(vcon);
    for (const tag of ['source:mcproxy', 'server_name:mcproxy', 'upstreams:everything,memory', 'environment:test']) assert.ok(tags.includes(tag), `${tag} in ${tags}`);
    assert.ok(tags.some((t) => /^tool_count:[1-9]\d*$/.test(t)), `tool_count in ${tags}`);
    assert.doesNotMatch(JSON.stringify(vcon), new RegExp(TOKEN), 'no token in the vCon');
    assert.deepEqual(filesIn(path.join(dirOf(configFile), 'journal'), '.jsonl'), [], 'the journal is gone once the vCon is out');
  });

  it('answers 422 for the conserver-rejects cases and 403 for a wrong token (the double follows the contract)', async () => {
    const rejects = path.join(SHARED, 'vcon/conserver-rejects');
    for (const name of filesIn(rejects, '.json')) {
      const response = await fetch(`${conserver.url}?ingress_lists=x`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-conserver-api-token': TOKEN },
        body: readFileSync(path.join(rejects, name)),
      });
      assert.equal(response.status, 422, name);
    }
    const wrong = await fetch(conserver.url, { method: 'POST', headers: { 'x-conserver-api-token': 'wrong' }, body: '{}' });
    assert.equal(wrong.status, 403);
    const health = await fetch(conserver.url.replace(/vcon$/, 'health'));
    assert.deepEqual(await health.json(), { status: 'healthy' });
  });

  it('moves a vCon the conserver refuses (wrong token) to rejected/ with the reason, and `vcon flush` lists it', async () => {
    const configFile = writeConfig(twoUpstreams({ conserver: { url: conserver.url, apiToken: 'not-the-token', retryAttempts: 0 } }));
    const { client } = await stdioClient(configFile);
    await client.callTool({ name: 'ev__echo', arguments: { message: 'refused' } });
    await client.close();
    const rejected = path.join(dirOf(configFile), 'rejected');
    await waitUntil(() => filesIn(rejected, '.reason.txt').length === 1, 'a rejected vCon', 15_000);
    const [reason] = filesIn(rejected, '.reason.txt');
    assert.match(readFileSync(path.join(rejected, reason), 'utf8'), /HTTP 403/);
    assert.equal(filesIn(rejected, '.vcon.json').length, 1);
    assert.deepEqual(filesIn(path.join(dirOf(configFile), 'spool'), '.json'), [], 'not retried');
    assert.equal(conserver.received.length, 0);
    const flush = await runCli(['vcon', 'flush', '--config', configFile]);
    assert.match(flush.stdout, /rejected \(in .*\): 1\n {2}rejected [0-9a-f-]+: HTTP 403/);
  });

  it('keeps vCons while the conserver is down and delivers every one once it is up (500 and network errors are retried)', async () => {
    const port = conserver.port;
    await conserver.close();
    const configFile = writeConfig(
      twoUpstreams({ conserver: { url: `http://127.0.0.1:${port}/api/vcon`, apiToken: TOKEN, ingressList: 'mcp_sessions', retryAttempts: 1, retryDelayMs: 50 } }),
    );
    const proxy = await startHttpProxy(configFile);
    try {
      const uuids: string[] = [];
      for (const message of ['first', 'second']) {
        const { client, transport } = await connectHttp(proxy.url);
        await client.callTool({ name: 'ev__echo', arguments: { message } });
        await transport.terminateSession();
        await client.close();
      }
      const spool = path.join(dirOf(configFile), 'spool');
      await waitUntil(() => filesIn(spool, '.vcon.json').length === 2, 'two spooled vCons', 15_000);
      uuids.push(...filesIn(spool, '.vcon.json').map((name) => name.replace('.vcon.json', '')));

      conserver = await startConserver({ token: TOKEN, port });
      conserver.failNext(1);
      await waitUntil(() => uuids.every((uuid) => conserver.stored.has(uuid)), 'both vCons at the conserver', 20_000);
      await waitUntil(() => filesIn(spool, '.vcon.json').length === 0, 'an empty spool');
      for (const post of conserver.received) assert.deepEqual(post.ingressLists, ['mcp_sessions']);
      const tags = tagsOf(conserver.stored.get(uuids[0]) as unknown as Vcon);
      assert.ok(tags.some((t) => t.startsWith('mcp_session_id:')), 'an HTTP session is tagged with its MCP session id');
    } finally {
      await proxy.stop();
    }
  });

  it('delivers the vCon of a session whose proxy was killed with SIGKILL, after the restart', async () => {
    const configFile = writeConfig(twoUpstreams({ conserver: { url: conserver.url, apiToken: TOKEN } }));
    const journal = path.join(dirOf(configFile), 'journal');
    const first = await startHttpProxy(configFile);
    const { client } = await connectHttp(first.url);
    await client.callTool({ name: 'ev__echo', arguments: { message: 'before the crash' } });
    await client.callTool({ name: 'mem__read_graph', arguments: {} });
    const journalHolds = (needle: string) => filesIn(journal, '.jsonl').some((name) => readFileSync(path.join(journal, name), 'utf8').includes(needle));
    await waitUntil(() => journalHolds('Echo: before the crash') && journalHolds('relations'), 'both answers in the journal');
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    await client.close().catch(() => {});
    assert.deepEqual(vconsIn(dirOf(configFile)), [], 'nothing was finished before the kill');

    const second = await startHttpProxy(configFile);
    try {
      await waitUntil(() => conserver.received.length === 1, 'the recovered vCon at the conserver', 15_000);
      const [vcon] = vconsIn(dirOf(configFile));
      assert.deepEqual(vconProblems(vcon), []);
      assert.deepEqual(vcon.parties.map((p) => p.name), ['mcproxy-test', 'everything', 'memory']);
      const bodies = vcon.dialog!.map((d) => d.body!).join('\n');
      assert.match(bodies, /Echo: before the crash/);
      assert.ok(vcon.dialog!.some((d) => d.meta!.mcp_method === 'tools/call' && d.meta!.upstream === 'memory' && d.meta!.mcp_type === 'response'));
      assert.deepEqual(filesIn(journal, '.jsonl'), []);
    } finally {
      await second.stop();
    }
  });

  it('kill -9 the moment a response reached the client: the recovered vCon holds every response the client had', async () => {
    const configFile = writeConfig(twoUpstreams({}));
    const first = await startHttpProxy(configFile);
    const { client } = await connectHttp(first.url);
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    const received = callUntilKilled(client, () => first.child.kill('SIGKILL'));
    await exited;
    await client.close().catch(() => {});
    await assertRecovered(configFile, received);
  });

  it('kill -9 the moment a response reached a stdio client, answered as the upstream wrote it (the fast lane): the recovered vCon holds it too', async () => {
    // One upstream whose results need no URI rewritten: they reach the client as bytes, which the journal splices in.
    const configFile = writeConfig({ server: { name: 'mcproxy' }, upstreams: { ev: everything }, vcon: {} });
    const { client, transport } = await stdioClient(configFile);
    const pid = transport.pid!;
    const exited = new Promise((resolve) => (client.onclose = () => resolve(undefined)));
    const received = callUntilKilled(client, () => process.kill(pid, 'SIGKILL'));
    await exited;
    await assertRecovered(configFile, received);
  });

  it('links the vCons of a chain of two proxies, and `vcon show` follows the link', async () => {
    const shared = path.dirname(writeConfig('unused: true'));
    const vcon = { dir: path.join(shared, 'vcons') };
    // The outer proxy speaks 2026-07-28 to the inner one (protocol: auto): no session to DELETE, so
    // the inner vCon closes when that client's idle window (sessionIdleMs) ends.
    const innerFile = writeConfig({ server: { name: 'inner-proxy', sessionIdleMs: 2_000 }, upstreams: { everything: { ...everything, namespace: 'ev' } }, vcon });
    const inner = await startHttpProxy(innerFile);
    const outerFile = writeConfig({ server: { name: 'outer-proxy' }, upstreams: { inner: { url: inner.url } }, vcon });
    const outer = await startHttpProxy(outerFile);
    try {
      const { client, transport } = await connectHttp(outer.url);
      assert.equal(text(await client.callTool({ name: 'inner__ev__echo', arguments: { message: 'through two proxies' } })), 'Echo: through two proxies');
      await transport.terminateSession();
      await client.close();
      // Both, before any shutdown.
      await waitUntil(() => vconsIn(vcon.dir).length === 2, 'the outer vCon, and the inner one its idle window ended', 20_000);
    } finally {
      await outer.stop();
      await inner.stop();
    }
    const vcons = vconsIn(vcon.dir);
    assert.equal(vcons.length, 2);
    const outerVcon = vcons.find((v) => v.subject!.endsWith('via outer-proxy'))!;
    const innerVcon = vcons.find((v) => v.subject!.endsWith('via inner-proxy'))!;
    assert.ok(outerVcon && innerVcon, vcons.map((v) => v.subject).join(', '));
    assert.ok(tagsOf(innerVcon).includes(`parent_vcon:${outerVcon.uuid}`));
    const innerCall = innerVcon.dialog!.find((d) => d.meta!.mcp_method === 'tools/call' && d.meta!.mcp_type === 'request')!;
    assert.equal(innerCall.meta!.parent_vcon, outerVcon.uuid);
    assert.deepEqual(innerCall.parties, [0, 1]);
    for (const v of vcons) assert.deepEqual(vconProblems(v), []);

    const shown = await runCli(['vcon', 'show', path.join(vcon.dir, `${outerVcon.uuid}.vcon.json`)]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /mcproxy-test → inner +tools\/call request #\d+ +inner__ev__echo/);
    assert.match(shown.stdout, /continued in an inner proxy:\n {2}MCP session: outer-proxy via inner-proxy/);
    assert.match(shown.stdout, /outer-proxy → everything +tools\/call request/);
    assert.doesNotMatch(shown.stdout, /\u001b\[/, 'no colours when stdout is not a TTY');
  });

  it('keeps serving when the vCon folder cannot be written, and says so', async () => {
    const blocker = path.join(path.dirname(writeConfig('unused: true')), 'a-file');
    writeFileSync(blocker, 'not a folder');
    const proxy = await startHttpProxy(writeConfig(twoUpstreams({ dir: path.join(blocker, 'vcons') })));
    try {
      const { client, transport } = await connectHttp(proxy.url);
      assert.equal(text(await client.callTool({ name: 'ev__echo', arguments: { message: 'still here' } })), 'Echo: still here');
      await transport.terminateSession();
      await client.close();
      assert.match(proxy.stderr(), /vCon folder .*a-file\/vcons is not usable, sessions are not being recorded: ENOTDIR/);
    } finally {
      await proxy.stop();
    }
  });

  it('`vcon validate` lists reasons and exits 2 on an invalid vCon, 0 on a valid one', async () => {
    const bad = path.join(SHARED, 'vcon/conserver-rejects/bad_party_ref.json');
    const good = path.join(SHARED, 'vcon/mcp-session.example.vcon.json');
    const result = await runCli(['vcon', 'validate', good, bad]);
    assert.equal(result.code, 2);
    assert.match(result.stdout, /mcp-session\.example\.vcon\.json: valid/);
    assert.match(result.stdout, /bad_party_ref\.json: INVALID\n(.*\n)*.*dialog\[0\]\.parties: index 99 is not a party/);
    assert.equal((await runCli(['vcon', 'validate', good])).code, 0);
  });
});

export type { JSONRPCMessage };
