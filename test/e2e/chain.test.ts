// Proxies of proxies: a three-level chain carrying every kind of message, the shipped
// two-level example, and loops refused with the loop named and the processes bounded.
import type { Client } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { CLI, ROOT, serverPackage } from '../helpers/paths.js';
import { childrenOf, waitFor } from '../helpers/processes.js';
import { freePort } from '../helpers/net.js';
import { connectHttp, connectStdio, startHttpProxy, toolNamesOnceListed, writeConfig, type HttpProxy } from '../helpers/proxy.js';
import { text } from '../helpers/results.js';
import { changing, everything } from '../helpers/upstreams.js';

/** Every process below `pid`. */
function descendants(pid: number): number[] {
  return childrenOf(pid).flatMap((child) => [child, ...descendants(child)]);
}

describe('chaining: client → proxy (stdio) → proxy (HTTP) → servers', function () {
  this.timeout(60_000);
  let inner: HttpProxy;
  let client: Client;
  const samples: string[] = [];
  const elicited: string[] = [];
  before(async () => {
    inner = await startHttpProxy(
      writeConfig({
        upstreams: {
          everything: { ...everything, namespace: 'ev' },
          chg: { ...changing, namespace: 'chg' },
          memory: { command: process.execPath, args: [serverPackage('memory')], env: { MEMORY_FILE_PATH: path.join(mkdtempSync(path.join(os.tmpdir(), 'mcproxy-chain-')), 'm.jsonl') }, namespace: 'mem' },
        },
      }),
    );
    // The outer proxy renames and blocks on the names the inner one exposes.
    const outer = writeConfig({
      // legacy: this chain's tests include the client's cancellation reason, which only a 2025-11-25 hop carries (a
      // 2026-07-28 client cancels by closing the response stream). inputRequired.test and listen.test chain in 2026-07-28.
      upstreams: { team: { url: inner.url, protocol: 'legacy', tools: { block: ['mem__delete_*'], rename: { 'ev__get-sum': 'sum' } } } },
    });
    ({ client } = await connectStdio(outer, { capabilities: { sampling: {}, elicitation: { form: {} } } }));
    client.setRequestHandler('elicitation/create', async (request) => {
      elicited.push(request.params.message);
      return { action: 'decline' };
    });
    client.setRequestHandler('sampling/createMessage', async (request) => {
      const first = request.params.messages[0]?.content as { text?: string };
      samples.push(first.text ?? '');
      return { model: 'test-model', role: 'assistant', content: { type: 'text', text: 'sampled through two proxies' } };
    });
  });
  after(async () => {
    await client?.close();
    await inner?.stop();
  });

  it('composes names and applies the outer policy to them', async () => {
    const names = (await client.listTools()).tools.map((t) => t.name);
    assert.ok(names.includes('team__ev__echo') && names.includes('sum') && names.includes('team__mem__read_graph'), names.join(', '));
    assert.ok(!names.some((n) => n.startsWith('team__mem__delete_')), 'blocked on the inner names');
    assert.equal(text(await client.callTool({ name: 'sum', arguments: { a: 2, b: 3 } })), 'The sum of 2 and 3 is 5.');
  });

  it('carries a tool call, a prompt, a resource read and progress', async () => {
    assert.equal(text(await client.callTool({ name: 'team__ev__echo', arguments: { message: 'three levels' } })), 'Echo: three levels');
    const prompt = await client.getPrompt({ name: 'team__ev__args-prompt', arguments: { city: 'Lisbon' } });
    assert.match(JSON.stringify(prompt.messages), /Lisbon/);
    const read = await client.readResource({ uri: 'demo://resource/static/document/features.md' });
    assert.equal(read.contents[0].uri, 'demo://resource/static/document/features.md');
    assert.ok(String((read.contents[0] as { text?: string }).text).length > 0);
    const steps: number[] = [];
    await client.callTool({ name: 'team__ev__trigger-long-running-operation', arguments: { duration: 0.6, steps: 3 } }, {
      onprogress: (p) => steps.push(p.progress),
    });
    // The last step can race the result across the HTTP hop (as in edges.test.ts): at least two, in order.
    assert.ok(steps.length >= 2 && steps.every((step, i) => step === i + 1), `progress crosses both proxies: ${steps.join(',')}`);
  });

  it('carries a sampling request from the server back to the client and its answer down again', async () => {
    const result = await client.callTool({ name: 'team__ev__trigger-sampling-request', arguments: { prompt: 'hello from the bottom', maxTokens: 20 } });
    assert.match(text(result), /sampled through two proxies/);
    assert.ok(samples.some((s) => s.includes('hello from the bottom')), samples.join(' | '));
  });

  it('carries an elicitation request to the client and its answer back', async () => {
    const result = await client.callTool({ name: 'team__ev__trigger-elicitation-request', arguments: {} });
    assert.deepEqual(elicited, ['Please provide inputs for the following fields:']);
    assert.match(JSON.stringify(result), /declin/i);
  });

  it('carries a cancellation down to the server, with the client’s reason', async () => {
    const controller = new AbortController();
    const call = client.callTool({ name: 'team__chg__sleep', arguments: { ms: 30_000 } }, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 800)); // the request is at the server by now
    controller.abort('changed my mind');
    await assert.rejects(call);
    let cancellations: Array<{ ms: number; reason: unknown }> = [];
    for (let i = 0; i < 60 && cancellations.length === 0; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 50));
      cancellations = JSON.parse(text(await client.callTool({ name: 'team__chg__cancellations', arguments: {} })));
    }
    assert.equal(cancellations.length, 1, 'the server behind both proxies saw notifications/cancelled');
    assert.equal(cancellations[0].reason, 'changed my mind');
  });

  it('carries logs, tagged with the upstream at each level', async () => {
    const logs: string[] = [];
    client.setNotificationHandler('notifications/message', (n) => void logs.push(String(n.params.logger)));
    await client.setLoggingLevel('debug');
    await client.callTool({ name: 'team__ev__toggle-simulated-logging', arguments: {} });
    assert.ok(await waitFor(() => logs.length > 0, 15_000), 'a log message crossed both proxies');
    await client.callTool({ name: 'team__ev__toggle-simulated-logging', arguments: {} });
    assert.match(logs[0], /^team\/everything/);
  });
});

describe('chaining: the shipped two-level example (stdio → stdio)', function () {
  this.timeout(60_000);
  it('serves the inner proxy under the outer namespace, with the outer block applied', async () => {
    const { client } = await connectStdio(path.join(ROOT, 'examples/chain-outer.yaml'));
    try {
      const names = await toolNamesOnceListed(client, ['team__ev__echo', 'team__mem__read_graph', 'fs__list_directory']);
      assert.ok(names.includes('team__ev__echo') && names.includes('team__mem__read_graph') && names.includes('fs__list_directory'), names.join(', '));
      assert.ok(!names.includes('team__mem__delete_entities'));
      assert.equal(text(await client.callTool({ name: 'team__ev__echo', arguments: { message: 'chained' } })), 'Echo: chained');
    } finally {
      await client.close();
    }
  });
});

describe('chaining: loops', function () {
  this.timeout(60_000);

  it('refuses a proxy that is its own upstream through another, naming the loop; the others keep serving; processes stay bounded', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-loop-'));
    const a = path.join(dir, 'a.yaml');
    const b = path.join(dir, 'b.yaml');
    // legacy: a 2025-11-25 hop refuses a loop at initialize, so the refused upstream is not retried; a 2026-07-28
    // hop (no initialize) refuses each request instead.
    const proxyOn = (file: string) => ({ command: process.execPath, args: [CLI, '--config', file], protocol: 'legacy' });
    writeFileSync(a, stringify({ server: { name: 'proxy-a' }, upstreams: { everything: { ...everything, namespace: 'ev', spares: 0 }, b: { ...proxyOn(b), spares: 0 } } }));
    writeFileSync(b, stringify({ server: { name: 'proxy-b' }, upstreams: { a: proxyOn(a) } }));
    const proxy = await startHttpProxy(a);
    try {
      const { client, transport } = await connectHttp(proxy.url);
      const names = await toolNamesOnceListed(client, ['ev__echo']);
      assert.ok(names.includes('ev__echo'), names.join(', '));
      assert.equal(text(await client.callTool({ name: 'ev__echo', arguments: { message: 'still serving' } })), 'Echo: still serving');
      assert.ok(
        await waitFor(() => /proxy loop refused: proxy-a \(\S*a\.yaml\) → proxy-b \(\S*b\.yaml\) → proxy-a \(\S*a\.yaml\)/.test(proxy.stderr()), 15_000),
        `the loop is named in the log:\n${proxy.stderr()}`,
      );
      // The refused copy of a exits; b does not start another: a's session keeps server-everything and b only.
      assert.ok(await waitFor(() => descendants(proxy.child.pid!).length === 2, 15_000), `descendants: ${descendants(proxy.child.pid!).join(', ')}`);
      await new Promise((r) => setTimeout(r, 2_000));
      assert.equal(descendants(proxy.child.pid!).length, 2, 'no process was started again');
      await transport.terminateSession().catch(() => {});
      await client.close();
    } finally {
      await proxy.stop();
    }
  });

  it('refuses an HTTP proxy reached through its own URL, without retrying', async () => {
    const port = await freePort();
    // server.port 0 in the file, so validation cannot tell; --port makes the URL its own.
    const file = writeConfig({ server: { name: 'selfish' }, upstreams: { everything: { ...everything, namespace: 'ev' }, me: { url: `http://127.0.0.1:${port}/mcp`, protocol: 'legacy' } } });
    const proxy = await startHttpProxy(file, ['--port', String(port)]);
    // startHttpProxy passes --port 0 first; the later --port wins.
    try {
      const { client, transport } = await connectHttp(proxy.url);
      assert.ok((await client.listTools()).tools.some((t) => t.name === 'ev__echo'));
      assert.ok(await waitFor(() => /not connecting: .*proxy loop refused: selfish \(\S+\) → selfish \(\S+\)/.test(proxy.stderr()), 15_000), proxy.stderr());
      const refusals = () => proxy.stderr().match(/session=\S+.*proxy loop refused/g)?.length ?? 0;
      const seen = refusals();
      await new Promise((r) => setTimeout(r, 2_000));
      assert.equal(refusals(), seen, 'the loop is not tried again');
      // The refused session is ended by the proxy, not left behind (the client's own is still open).
      assert.ok(await waitFor(() => /session ended/.test(proxy.stderr()), 5_000), 'the refused session ended');
      await transport.terminateSession().catch(() => {});
      await client.close();
    } finally {
      await proxy.stop();
    }
  });

  it('validate refuses an upstream that runs mcproxy on the same file, naming file, line and key', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-self-'));
    const file = path.join(dir, 'self.yaml');
    writeFileSync(file, stringify({ upstreams: { me: { command: process.execPath, args: [CLI, '--config', file] } } }));
    const run = spawnSync(process.execPath, [CLI, 'validate', '--config', file], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /self\.yaml:2:\d+ upstreams\.me: this upstream runs mcproxy on this same config file/);
  });
});
