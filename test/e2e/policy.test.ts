// What clients see, end to end: real servers behind the real proxy process, the real SDK
// client over stdio and HTTP. Filtered, renamed and described catalogs; blocked capabilities
// refused and never forwarded (the recording fixture proves it on the upstream side); pinned
// arguments hidden and injected; collisions settled or refused; long namespaces; profiles.
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as SdkClient } from '@modelcontextprotocol/client';
import type { Client } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isValidName } from '../../src/catalog/names.js';
import { CLI, ROOT, serverPackage } from '../helpers/paths.js';
import { connectHttp, connectStdio, startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';
import { text } from '../helpers/results.js';
import { everything, fixture } from '../helpers/upstreams.js';

const sharedDir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-policy-fs-'));
writeFileSync(path.join(sharedDir, 'note.txt'), 'pinned folder\n');

/** The requests the recording fixture received, one object per line. */
function recorded(file: string): Array<{ started?: number; method?: string; params?: Record<string, unknown> }> {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)) : [];
}

function policyConfig(recordFile: string) {
  return {
    upstreams: {
      everything: {
        ...everything,
        namespace: 'ev',
        tools: { allow: ['echo', 'get-*'], block: ['get-env'], rename: { echo: 'say' }, describe: { 'get-sum': 'Adds a and b.' } },
        prompts: { allow: ['simple-prompt'] },
        resources: { block: ['demo://resource/dynamic/blob/*'] },
      },
      files: {
        command: process.execPath,
        args: [serverPackage('filesystem'), sharedDir],
        namespace: 'fs',
        tools: { allow: ['list_directory'], arguments: { list_directory: { path: sharedDir } } },
      },
      memory: { command: process.execPath, args: [serverPackage('memory')], env: { MEMORY_FILE_PATH: path.join(sharedDir, 'memory.jsonl') }, namespace: 'mem' },
      rec: {
        ...fixture('recording-server', '--record', recordFile),
        namespace: 'rec',
        tools: { block: ['secret'], arguments: { scoped: { root: '/pinned' } } },
        prompts: { block: ['hidden'] },
        resources: { block: ['rec://hidden'] },
      },
    },
    policy: { tools: { block: ['mem__delete_*', 'mem__create_*'] } },
  };
}

function curatedCatalog(connect: (file: string) => Promise<{ client: Client; close(): Promise<void> }>) {
  const recordFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'mcproxy-rec-')), 'requests.jsonl');
  let client: Client;
  let close: () => Promise<void>;
  before(async () => {
    ({ client, close } = await connect(writeConfig(policyConfig(recordFile))));
  });
  after(async () => close?.());

  it('lists only what policy lets through, under renames and new descriptions', async () => {
    const tools = (await client.listTools()).tools;
    const names = tools.map((t) => t.name);
    for (const expected of ['say', 'ev__get-sum', 'ev__get-tiny-image', 'fs__list_directory', 'mem__read_graph', 'rec__public', 'rec__scoped']) {
      assert.ok(names.includes(expected), `${expected} missing from ${names.join(', ')}`);
    }
    for (const absent of ['ev__echo', 'ev__get-env', 'ev__trigger-long-running-operation', 'fs__read_text_file', 'mem__delete_entities', 'mem__create_entities', 'rec__secret']) {
      assert.ok(!names.includes(absent), `${absent} should be hidden`);
    }
    assert.equal(tools.find((t) => t.name === 'ev__get-sum')!.description, 'Adds a and b.');
    assert.deepEqual((await client.listPrompts()).prompts.map((p) => p.name).sort(), ['ev__simple-prompt', 'rec__open']);
    const uris = (await client.listResources()).resources.map((r) => r.uri);
    assert.ok(uris.includes('rec://open') && !uris.includes('rec://hidden'), uris.join(', '));
    const templates = (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
    assert.deepEqual(templates, ['demo://resource/dynamic/text/{resourceId}']);
  });

  it('calls renamed tools, and hides and injects pinned arguments', async () => {
    assert.equal(text(await client.callTool({ name: 'say', arguments: { message: 'hi' } })), 'Echo: hi');
    const list = (await client.listTools()).tools.find((t) => t.name === 'fs__list_directory')!;
    assert.ok(!('path' in (list.inputSchema.properties ?? {})), 'the pinned path is not in the schema');
    assert.ok(!(list.inputSchema.required ?? []).includes('path'));
    assert.match(text(await client.callTool({ name: 'fs__list_directory', arguments: {} })), /note\.txt/);
    // A model that sends the pinned argument anyway does not get its value through.
    assert.match(text(await client.callTool({ name: 'fs__list_directory', arguments: { path: '/' } })), /note\.txt/);
    const scoped = JSON.parse(text(await client.callTool({ name: 'rec__scoped', arguments: { q: 'x', root: '/etc' } })));
    assert.deepEqual(scoped, { q: 'x', root: '/pinned' });
  });

  it('refuses blocked tools, prompts and resources with a JSON-RPC error, and never forwards them', async () => {
    assert.equal(text(await client.callTool({ name: 'rec__public', arguments: { text: 'ok' } })), 'public: ok');
    await assert.rejects(client.callTool({ name: 'rec__secret', arguments: { text: 'leak' } }), /Unknown tool: rec__secret/);
    await assert.rejects(client.callTool({ name: 'ev__get-env', arguments: {} }), /Unknown tool: ev__get-env/);
    await assert.rejects(client.getPrompt({ name: 'rec__hidden' }), /Unknown prompt: rec__hidden/);
    await assert.rejects(client.readResource({ uri: 'rec://hidden' }), /Resource not found: rec:\/\/hidden/);
    await assert.rejects(client.subscribeResource({ uri: 'rec://hidden' }), /Resource not found/);
    await assert.rejects(client.complete({ ref: { type: 'ref/prompt', name: 'rec__hidden' }, argument: { name: 'a', value: '' } }), /Unknown prompt/);
    await assert.rejects(client.readResource({ uri: 'demo://resource/dynamic/blob/1' }), /Resource not found/, 'a blocked template does not route');
    assert.match(JSON.stringify(await client.readResource({ uri: 'rec://open' })), /read rec:\/\/open/);

    const requests = recorded(recordFile);
    const calls = requests.filter((r) => r.method === 'tools/call').map((r) => r.params!.name);
    assert.deepEqual(calls, ['scoped', 'public'], 'the upstream saw the allowed calls, not the blocked one');
    assert.ok(!requests.some((r) => r.method === 'prompts/get'), 'no prompt was fetched');
    assert.deepEqual(requests.filter((r) => r.method === 'resources/read').map((r) => r.params!.uri), ['rec://open']);
    assert.ok(!requests.some((r) => r.method === 'resources/subscribe'));
  });
}

describe('policy: curated catalogs', function () {
  this.timeout(60_000);

  describe('over stdio', () => {
    curatedCatalog(async (file) => {
      const { client } = await connectStdio(file);
      return { client, close: () => client.close() };
    });
  });

  describe('over HTTP', () => {
    let proxy: HttpProxy | undefined;
    after(async () => proxy?.stop());
    curatedCatalog(async (file) => {
      proxy = await startHttpProxy(file);
      const { client, transport } = await connectHttp(proxy.url);
      return { client, close: async () => { await transport.terminateSession().catch(() => {}); await client.close(); } };
    });
  });
});

describe('policy: collisions', function () {
  this.timeout(60_000);
  const twins = (naming: Record<string, unknown> = {}) =>
    writeConfig({ naming, upstreams: { one: { ...everything, namespace: '' }, two: { ...everything, namespace: '' } } });

  it('suffix: both copies of server-everything serve, the later under qualified names and URIs a client can read back', async () => {
    const { client } = await connectStdio(twins());
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      assert.ok(names.includes('echo') && names.includes('two__echo'), names.join(', '));
      assert.equal(new Set(names).size, names.length);
      assert.ok(names.every((n) => isValidName(n, 64)));
      assert.equal(text(await client.callTool({ name: 'two__echo', arguments: { message: 'second' } })), 'Echo: second');
      const uris = (await client.listResources()).resources.map((r) => r.uri);
      const namespaced = uris.filter((u) => u.startsWith('mcproxy://two/'));
      assert.ok(namespaced.length > 0 && uris.includes('demo://resource/static/document/features.md'), uris.join(', '));
      for (const uri of namespaced) assert.doesNotThrow(() => new URL(uri));
      const read = await client.readResource({ uri: namespaced[0] });
      assert.equal(read.contents[0].uri, namespaced[0], 'the read answers under the URI the client asked for');
      // Links the second copy returns point back at the second copy.
      const links = (await client.callTool({ name: 'two__get-resource-links', arguments: { count: 2 } })).content as Array<{ type: string; uri?: string }>;
      const linked = links.filter((c) => c.type === 'resource_link').map((c) => c.uri!);
      assert.ok(linked.length === 2 && linked.every((u) => u.startsWith('mcproxy://two/')), linked.join(', '));
      const followed = await client.readResource({ uri: linked[0] });
      assert.ok(followed.contents.length > 0);
    } finally {
      await client.close();
    }
  });

  it('error: the proxy refuses to start, naming both sources', () => {
    const run = spawnSync(process.execPath, [CLI, '--config', twins({ onCollision: 'error' })], { cwd: ROOT, input: '', encoding: 'utf8', timeout: 40_000 });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /naming\.onCollision is error/);
    assert.match(run.stderr, /tool echo of upstream one \(echo\) and of upstream two \(echo\)/);
    assert.match(run.stderr, /URI collision: resource demo:\/\/resource\/static\/document\/\S+ of upstream one and of upstream two/);
  });
});

describe('policy: a 60-character namespace', function () {
  this.timeout(60_000);
  it('gives valid names, the same in every run, that still work', async () => {
    const file = writeConfig({ upstreams: { long: { ...everything, namespace: 'n'.repeat(60) } } });
    const runs: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const { client } = await connectStdio(file);
      try {
        const names = (await client.listTools()).tools.map((t) => t.name);
        assert.ok(names.every((n) => isValidName(n, 64)), names.filter((n) => !isValidName(n, 64)).join(', '));
        const echo = names.find((n) => n.endsWith('__echo'))!;
        assert.equal(text(await client.callTool({ name: echo, arguments: { message: 'long' } })), 'Echo: long');
        runs.push(names);
      } finally {
        await client.close();
      }
    }
    assert.deepEqual(runs[0], runs[1]);
  });
});

describe('profiles', function () {
  this.timeout(60_000);
  const recordFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'mcproxy-prof-')), 'requests.jsonl');
  const config = {
    upstreams: {
      everything: { ...everything, namespace: 'ev' },
      memory: { command: process.execPath, args: [serverPackage('memory')], env: { MEMORY_FILE_PATH: path.join(sharedDir, 'prof.jsonl') }, namespace: 'mem' },
      // legacy: its record counts process starts, and a `protocol: auto` probe runs one more.
      rec: { ...fixture('recording-server', '--record', recordFile), namespace: 'rec', protocol: 'legacy' },
    },
    profiles: {
      readonly: { upstreams: ['memory'], policy: { tools: { allow: ['mem__read_*', 'mem__search_*'] } } },
      tiny: { upstreams: ['everything', 'memory'], policy: { tools: { allow: ['ev__echo'], rename: { ev__echo: 'echo' } } } },
    },
  };
  let proxy: HttpProxy;
  before(async () => {
    proxy = await startHttpProxy(writeConfig(config));
  });
  after(async () => proxy?.stop());

  it('serves two different catalogs at <path>/<profile>, without starting excluded upstreams', async () => {
    const readonly = await connectHttp(`${proxy.url}/readonly`);
    const tiny = await connectHttp(`${proxy.url}/tiny`);
    try {
      assert.deepEqual((await readonly.client.listTools()).tools.map((t) => t.name).sort(), ['mem__read_graph', 'mem__search_nodes']);
      assert.deepEqual((await tiny.client.listTools()).tools.map((t) => t.name), ['echo']);
      assert.equal(text(await tiny.client.callTool({ name: 'echo', arguments: { message: 'tiny' } })), 'Echo: tiny');
      assert.deepEqual(recorded(recordFile), [], 'rec is in neither profile: never started');
      await assert.rejects(readonly.client.callTool({ name: 'ev__echo', arguments: { message: 'x' } }), /Unknown tool/);
    } finally {
      await readonly.transport.terminateSession().catch(() => {});
      await tiny.transport.terminateSession().catch(() => {});
    }
    const full = await connectHttp(proxy.url);
    try {
      const names = (await full.client.listTools()).tools.map((t) => t.name);
      assert.ok(names.includes('ev__echo') && names.includes('rec__public') && names.includes('mem__create_entities'), names.join(', '));
      assert.equal(recorded(recordFile).filter((r) => r.started).length, 1, 'the full view starts rec');
    } finally {
      await full.transport.terminateSession().catch(() => {});
    }
  });

  it('answers 404 for a profile that does not exist, and for a session id used at another profile', async () => {
    const unknown = await fetch(`${proxy.url}/nope`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    assert.equal(unknown.status, 404);
    const tiny = await connectHttp(`${proxy.url}/tiny`);
    try {
      const crossed = await fetch(`${proxy.url}/readonly`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': tiny.transport.sessionId! },
        body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
      });
      assert.equal(crossed.status, 404);
    } finally {
      await tiny.transport.terminateSession().catch(() => {});
    }
  });

  it('picks a profile over stdio with --profile', async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, '--config', writeConfig(config), '--profile', 'tiny'], cwd: ROOT, stderr: 'ignore' });
    const client = new SdkClient({ name: 'profile-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ['echo']);
    } finally {
      await client.close();
    }
    const wrong = spawnSync(process.execPath, [CLI, '--config', writeConfig(config), '--profile', 'nope'], { cwd: ROOT, input: '', encoding: 'utf8', timeout: 20_000 });
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /--profile: no profile named nope \(profiles: readonly, tiny\)/);
  });
});

describe('mcproxy list on examples/filter-and-rename.yaml', function () {
  this.timeout(60_000);
  it('shows every exposed name next to its original, and only what the policy exposes', () => {
    const run = spawnSync(process.execPath, [CLI, 'list', '--config', path.join(ROOT, 'examples/filter-and-rename.yaml')], { cwd: ROOT, encoding: 'utf8', timeout: 40_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^tool\s+say\s+←\s+everything\/echo$/m);
    assert.match(run.stdout, /^tool\s+ev__get-sum\s+←\s+everything\/get-sum$/m);
    assert.match(run.stdout, /^tool\s+fs__list_directory\s+←\s+files\/list_directory$/m);
    assert.match(run.stdout, /^resource\s+demo:\/\/resource\/static\/document\/features\.md\s+←\s+everything\/demo:\/\/resource\/static\/document\/features\.md$/m);
    assert.doesNotMatch(run.stdout, /get-env|^prompt|write_file|dynamic/m);
  });
});
