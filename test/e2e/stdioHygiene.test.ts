// The stdio listener as a client's raw bytes see it: a line that is not JSON gets a -32700
// answer (and a log line), and a client that has just initialized is not sent list_changed for
// upstreams that connected before it listed anything.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CLI, ROOT } from '../helpers/paths.js';
import { writeConfig } from '../helpers/proxy.js';
import { fixture } from '../helpers/upstreams.js';

interface RawProxy {
  child: ChildProcessWithoutNullStreams;
  messages: Array<Record<string, unknown>>;
  stderr(): string;
  send(line: string): void;
  /** Resolves with the first message (already received or to come) matching `test`. */
  next(test: (message: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** Resolves once stderr matches `pattern`. */
  logged(pattern: RegExp): Promise<void>;
}

function startRaw(configFile: string): RawProxy {
  const child = spawn(process.execPath, [CLI, '--config', configFile], { cwd: ROOT, env: { ...process.env, MCPROXY_LOG_LEVEL: 'info' } });
  const messages: Array<Record<string, unknown>> = [];
  let stderr = '';
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  createInterface({ input: child.stdout }).on('line', (line) => {
    messages.push(JSON.parse(line) as Record<string, unknown>);
    wake();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    wake();
  });
  const until = async (check: () => boolean) => {
    while (!check()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return {
    child,
    messages,
    stderr: () => stderr,
    send: (line) => child.stdin.write(line + '\n'),
    async next(test) {
      await until(() => messages.some(test));
      return messages.find(test)!;
    },
    logged: (pattern) => until(() => pattern.test(stderr)),
  };
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

describe('stdio protocol hygiene', function () {
  let proxy: RawProxy | undefined;
  afterEach(() => proxy?.child.kill());

  it('answers a malformed line with -32700 and id null, logs it, and carries on', async () => {
    proxy = startRaw(writeConfig({ upstreams: { echo: fixture('crashing-server') } }));
    proxy.send('{"jsonrpc": "2.0", "id": 1, "method": tools/list}');
    const parseError = await proxy.next((m) => 'error' in m);
    assert.deepEqual(parseError, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error: the line is not valid JSON' } });
    proxy.send('{"id": 5, "hello": "world"}');
    const invalid = await proxy.next((m) => m.id === 5);
    assert.deepEqual(invalid, { jsonrpc: '2.0', id: 5, error: { code: -32600, message: 'Invalid Request: not a JSON-RPC 2.0 request, notification or response' } });

    proxy.send(INITIALIZE);
    const initialized = await proxy.next((m) => m.id === 1);
    assert.ok('result' in initialized, 'the session still works after bad lines');
    assert.doesNotMatch(proxy.stderr(), /waiting for an MCP client/, 'the terminal hint is for terminals only');
    assert.match(proxy.stderr(), /warn \[session=stdio\] refused a message from the client: Parse error: the line is not valid JSON: "\{\\"jsonrpc\\": \\"2\.0\\", \\"id\\": 1, \\"method\\": tools\/list\}"/);
  });

  it('sends no list_changed to a client that initialized and has not listed anything yet', async () => {
    // Two servers that send no list_changed of their own (server-everything sends one whenever it likes).
    proxy = startRaw(writeConfig({ upstreams: { one: fixture('crashing-server'), two: fixture('crashing-server') } }));
    proxy.send(INITIALIZE);
    await proxy.next((m) => m.id === 1);
    proxy.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    // Both upstreams connect after initialized; before this fix each one sent three list_changed.
    await proxy.logged(/\[upstream=one\] connected to/);
    await proxy.logged(/\[upstream=two\] connected to/);
    proxy.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }));
    const listed = await proxy.next((m) => m.id === 2);

    const before = proxy.messages.slice(0, proxy.messages.indexOf(listed));
    assert.deepEqual(before.map((m) => m.method ?? `response ${String(m.id)}`), ['response 1']);
    const names = ((listed.result as { tools: Array<{ name: string }> }).tools).map((t) => t.name);
    assert.ok(names.includes('one__echo') && names.includes('two__echo'), 'the first list has both upstreams');
  });

  it('sends no list_changed to a client that listed at once, for upstreams that were still starting', async () => {
    proxy = startRaw(writeConfig({ upstreams: { one: fixture('crashing-server'), two: fixture('crashing-server') } }));
    proxy.send(INITIALIZE);
    await proxy.next((m) => m.id === 1);
    // The list arrives while both children are still starting: it waits for them (up to firstListWaitMs, 20 s in tests).
    proxy.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    proxy.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }));
    const listed = await proxy.next((m) => m.id === 2);

    const names = ((listed.result as { tools: Array<{ name: string }> }).tools).map((t) => t.name);
    assert.ok(names.includes('one__echo') && names.includes('two__echo'), 'the first list has both upstreams');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(proxy.messages.map((m) => m.method ?? `response ${String(m.id)}`), ['response 1', 'response 2'], 'no list_changed before or after it');
  });
});
