// Server→client requests through the proxy: an upstream's sampling, elicitation and roots
// requests reach the client of its session unchanged, the client's answer (or error) goes
// back unchanged, roots changes reach the upstream, and a request for a capability the client
// did not declare gets a clear JSON-RPC error. Real servers (server-everything and
// server-filesystem from npm, and the changing-tools fixture) behind the real proxy process,
// seen by the real SDK client over stdio and over Streamable HTTP; results are compared with
// the same requests made by an SDK client connected straight to the server.
import { ProtocolError } from '@modelcontextprotocol/client';
import type { Client, ClientCapabilities, CreateMessageResult, ElicitResult, Root } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { serverPackage } from '../helpers/paths.js';
import {
  httpProxyForSuite,
  startHttpProxy,
  viaHttp,
  viaStdio,
  writeConfig,
  type Connect,
  type Connected,
  type HttpProxy,
} from '../helpers/proxy.js';
import { text } from '../helpers/results.js';
import { changing, connectDirect, everything, everythingAndChanging } from '../helpers/upstreams.js';
import { waitUntil } from '../helpers/wait.js';

/** What a client that does it all declares. */
const EVERYTHING: ClientCapabilities = { sampling: {}, elicitation: { form: {} }, roots: { listChanged: true } };

const SAMPLING_ANSWER: CreateMessageResult = {
  model: 'test-model',
  role: 'assistant',
  content: { type: 'text', text: 'A proxy speaks for others.' },
  stopReason: 'endTurn',
};

const ACCEPTED: ElicitResult = { action: 'accept', content: { name: 'Ada Lovelace', check: true, email: 'ada@example.com', integer: 7 } };

/** How the client answers; shared by a proxied client and its direct twin so that both answer alike. */
interface Answers {
  roots: Root[];
  sampling: 'answer' | 'reject';
  elicitation: ElicitResult;
}

/** What the client was asked. */
interface Asked {
  sampling: unknown[];
  elicitation: unknown[];
  roots: number;
}

/** Installs a handler for each capability the client declared (the SDK refuses the others). */
function answer(client: Client, answers: Answers, capabilities: ClientCapabilities = EVERYTHING): Asked {
  const asked: Asked = { sampling: [], elicitation: [], roots: 0 };
  if (capabilities.sampling) {
    client.setRequestHandler('sampling/createMessage', async (request) => {
      asked.sampling.push(request.params);
      if (answers.sampling === 'reject') throw new ProtocolError(-1, 'User rejected sampling request', { reason: 'policy' });
      return SAMPLING_ANSWER;
    });
  }
  if (capabilities.elicitation) {
    client.setRequestHandler('elicitation/create', async (request) => {
      asked.elicitation.push(request.params);
      return answers.elicitation;
    });
  }
  if (capabilities.roots) {
    client.setRequestHandler('roots/list', async () => {
      asked.roots++;
      return { roots: answers.roots };
    });
  }
  return asked;
}

/** The same checks, whichever transport the client came in by. */
function serverRequestsReachTheClient(connect: Connect) {
  const answers: Answers = {
    roots: [
      { uri: 'file:///srv/project-one', name: 'Project one' },
      { uri: 'file:///srv/project-two', name: 'Project two' },
    ],
    sampling: 'answer',
    elicitation: ACCEPTED,
  };
  let full: Connected;
  let asked: Asked;
  let bare: Connected;
  let direct: { everything: Client; changing: Client };
  before(async () => {
    // Handlers go on right after connect, before any I/O: upstreams ask for roots once they are up.
    let directEverything: Client;
    let directChanging: Client;
    [full, bare, directEverything, directChanging] = await Promise.all([
      connect({ capabilities: EVERYTHING }).then((connected) => {
        asked = answer(connected.client, answers);
        return connected;
      }),
      connect(),
      connectDirect(everything, EVERYTHING).then((client) => (answer(client, answers), client)),
      connectDirect(changing, EVERYTHING).then((client) => (answer(client, answers), client)),
    ]);
    direct = { everything: directEverything, changing: directChanging };
    await Promise.all([full.client.listTools(), bare.client.listTools()]);
  });
  after(async () => {
    answers.sampling = 'answer';
    answers.elicitation = ACCEPTED;
    await Promise.all([full?.close(), bare?.close(), direct?.everything.close(), direct?.changing.close()]);
  });

  describe('sampling', function () {
    it('forwards the upstream’s request unchanged and returns the client’s answer into the tool result', async () => {
      const args = { prompt: 'What is a proxy?', maxTokens: 42 };
      const from = asked.sampling.length;
      const result = await full.client.callTool({ name: 'ev__trigger-sampling-request', arguments: args });
      assert.deepEqual(asked.sampling.slice(from), [
        {
          messages: [{ role: 'user', content: { type: 'text', text: 'Resource trigger-sampling-request context: What is a proxy?' } }],
          systemPrompt: 'You are a helpful test server.',
          maxTokens: 42,
          temperature: 0.7,
        },
      ]);
      const prefix = 'LLM sampling result: \n';
      assert.ok(text(result).startsWith(prefix), text(result));
      assert.deepEqual(JSON.parse(text(result).slice(prefix.length)), SAMPLING_ANSWER);
      assert.deepEqual(result, await direct.everything.callTool({ name: 'trigger-sampling-request', arguments: args }));
    });

    it('returns the client’s answer to the upstream exactly as a direct client’s', async () => {
      const proxied = await full.client.callTool({ name: 'chg__ask-sampling', arguments: {} });
      assert.equal(proxied.isError, undefined, text(proxied));
      assert.deepEqual(JSON.parse(text(proxied)), SAMPLING_ANSWER);
      assert.deepEqual(proxied, await direct.changing.callTool({ name: 'ask-sampling', arguments: {} }));
    });

    it('returns the client’s error to the upstream exactly as a direct client’s', async () => {
      answers.sampling = 'reject';
      try {
        const proxied = await full.client.callTool({ name: 'chg__ask-sampling', arguments: {} });
        const straight = await direct.changing.callTool({ name: 'ask-sampling', arguments: {} });
        assert.equal(proxied.isError, true);
        const error = JSON.parse(text(proxied)) as { code: number; message: string; data?: unknown };
        assert.equal(error.code, -1);
        assert.match(error.message, /User rejected sampling request/);
        assert.deepEqual(error.data, { reason: 'policy' });
        assert.deepEqual(error, JSON.parse(text(straight)), 'the upstream sees the error a direct client would have sent');
      } finally {
        answers.sampling = 'answer';
      }
    });
  });

  describe('elicitation', function () {
    it('forwards the form request unchanged and returns the accepted content into the tool result', async () => {
      const from = asked.elicitation.length;
      const result = await full.client.callTool({ name: 'ev__trigger-elicitation-request', arguments: {} });
      type FormRequest = { message: string; requestedSchema: { properties: object; required: string[] } };
      const [request] = asked.elicitation.slice(from) as FormRequest[];
      assert.equal(request.message, 'Please provide inputs for the following fields:');
      assert.deepEqual(request.requestedSchema.required, ['name']);
      assert.equal(Object.keys(request.requestedSchema.properties).length, 13);
      const content = (result.content as Array<{ type: string; text: string }>).map((c) => c.text);
      assert.deepEqual(content, [
        '✅ User provided the requested information!',
        'User inputs:\n- Name: Ada Lovelace\n- Agreed to terms: true\n- Email: ada@example.com\n- Favorite Integer: 7',
        `\nRaw result: ${JSON.stringify(ACCEPTED, null, 2)}`,
      ]);
      const directFrom = asked.elicitation.length;
      assert.deepEqual(result, await direct.everything.callTool({ name: 'trigger-elicitation-request', arguments: {} }));
      assert.equal(asked.elicitation.length, directFrom, 'the direct twin has its own record');
    });

    it('passes a decline back as a decline', async () => {
      answers.elicitation = { action: 'decline' };
      try {
        const result = await full.client.callTool({ name: 'ev__trigger-elicitation-request', arguments: {} });
        assert.equal((result.content as Array<{ text: string }>)[0].text, '❌ User declined to provide the requested information.');
        assert.deepEqual(result, await direct.everything.callTool({ name: 'trigger-elicitation-request', arguments: {} }));
        const proxied = await full.client.callTool({ name: 'chg__ask-elicitation', arguments: {} });
        assert.deepEqual(JSON.parse(text(proxied)), { action: 'decline' });
      } finally {
        answers.elicitation = ACCEPTED;
      }
    });

    it('sends the request exactly as the upstream wrote it', async () => {
      const from = asked.elicitation.length;
      await full.client.callTool({ name: 'chg__ask-elicitation', arguments: {} });
      assert.deepEqual(asked.elicitation.slice(from), [
        {
          mode: 'form',
          message: 'Your name?',
          requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
        },
      ]);
    });
  });

  describe('roots', function () {
    it('answers roots/list with the client’s roots, and an upstream hears when they change', async () => {
      const listed = await full.client.callTool({ name: 'ev__get-roots-list', arguments: {} });
      assert.ok(
        text(listed).startsWith(
          'Current MCP Roots (2 total):\n\n' +
            '1. Project one\n   URI: file:///srv/project-one\n\n' +
            '2. Project two\n   URI: file:///srv/project-two\n\n',
        ),
        text(listed),
      );
      assert.deepEqual(JSON.parse(text(await full.client.callTool({ name: 'chg__ask-roots', arguments: {} }))), { roots: answers.roots });

      const before = answers.roots;
      answers.roots = [{ uri: 'file:///srv/project-three', name: 'Project three' }];
      try {
        const askedBefore = asked.roots;
        await full.client.sendRootsListChanged();
        // server-everything asks again on notifications/roots/list_changed.
        await waitUntil(() => asked.roots > askedBefore, 'the upstream to ask for roots again');
        await waitUntil(
          async () => /\(1 total\)/.test(text(await full.client.callTool({ name: 'ev__get-roots-list', arguments: {} }))),
          'server-everything to hold the new roots',
        );
        const relisted = await full.client.callTool({ name: 'ev__get-roots-list', arguments: {} });
        assert.match(text(relisted), /^Current MCP Roots \(1 total\):\n\n1\. Project three\n {3}URI: file:\/\/\/srv\/project-three\n\n/);
      } finally {
        answers.roots = before;
        await full.client.sendRootsListChanged();
      }
    });
  });

  describe('a client without the capability', function () {
    it('is not offered the tools that need it', async () => {
      const names = (await bare.client.listTools()).tools.map((t) => t.name);
      for (const tool of ['ev__trigger-sampling-request', 'ev__trigger-elicitation-request', 'ev__get-roots-list']) {
        assert.ok(!names.includes(tool), `${tool} is listed to a client without its capability`);
      }
      assert.ok(names.includes('ev__echo'));
      const call = bare.client.callTool({ name: 'ev__trigger-elicitation-request', arguments: {} });
      await assert.rejects(call, (error: Error & { code?: number }) => {
        assert.equal(error.code, -32602);
        assert.match(error.message, /Unknown tool: ev__trigger-elicitation-request/);
        return true;
      });
    });

    for (const [tool, capability, method] of [
      ['ask-sampling', 'sampling', 'sampling/createMessage'],
      ['ask-elicitation', 'elicitation', 'elicitation/create'],
      ['ask-roots', 'roots', 'roots/list'],
    ]) {
      it(`answers the upstream’s ${method} with a JSON-RPC error naming the missing '${capability}' capability`, async () => {
        const result = await bare.client.callTool({ name: `chg__${tool}`, arguments: {} });
        assert.equal(result.isError, true, text(result));
        assert.deepEqual(JSON.parse(text(result)), {
          code: -32601,
          message:
            `The client did not declare the '${capability}' capability, ` +
            `so mcproxy cannot forward ${method} from upstream 'changing'`,
        });
      });
    }
  });
}

describe('server→client requests over stdio', function () {
  serverRequestsReachTheClient(viaStdio(writeConfig(everythingAndChanging)));
});

describe('server→client requests over Streamable HTTP', function () {
  const proxy = httpProxyForSuite(writeConfig(everythingAndChanging));

  serverRequestsReachTheClient(viaHttp(proxy));

  describe('on a shared upstream', function () {
    // A shared connection tells the upstream the client can do everything; the proxy refuses
    // per session, and routes to the one session with a call in flight.
    let shared: HttpProxy;
    let bare: Connected;
    let full: Connected;
    let asked: Asked;
    before(async () => {
      shared = await startHttpProxy(writeConfig({ upstreams: { changing: { ...changing, namespace: 'chg', shared: true } } }));
      [bare, full] = await Promise.all([viaHttp(() => shared)(), viaHttp(() => shared)({ capabilities: EVERYTHING })]);
      asked = answer(full.client, { roots: [], sampling: 'answer', elicitation: ACCEPTED });
    });
    after(async () => {
      await bare?.close();
      await full?.close();
      await shared?.stop();
    });

    it('refuses a sampling request for the session that cannot sample', async () => {
      const result = await bare.client.callTool({ name: 'chg__ask-sampling', arguments: {} });
      assert.equal(result.isError, true, text(result));
      assert.deepEqual(JSON.parse(text(result)), {
        code: -32601,
        message:
          "The client did not declare the 'sampling' capability, " +
          "so mcproxy cannot forward sampling/createMessage from upstream 'changing'",
      });
      assert.equal(asked.sampling.length, 0, 'the other session was not asked');
    });

    it('sends a sampling request to the session whose call it belongs to', async () => {
      const result = await full.client.callTool({ name: 'chg__ask-sampling', arguments: {} });
      assert.deepEqual(JSON.parse(text(result)), SAMPLING_ANSWER);
      assert.equal(asked.sampling.length, 1);
    });
  });
});

describe('server-filesystem started without directories, through the proxy', function () {
  const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'mcproxy-roots-')));
  const [one, two] = [path.join(base, 'one'), path.join(base, 'two')];
  for (const [dir, note] of [
    [one, 'first root'],
    [two, 'second root'],
  ]) {
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'note.txt'), `${note}\n`);
  }
  const file = writeConfig({ upstreams: { files: { command: process.execPath, args: [serverPackage('filesystem')], namespace: 'fs' } } });

  function usesTheClientsRoots(connect: Connect) {
    let proxied: Connected;
    const answers: Answers = { roots: [{ uri: pathToFileURL(one).href, name: 'one' }], sampling: 'answer', elicitation: ACCEPTED };
    let asked: Asked;
    before(async () => {
      const capabilities = { roots: { listChanged: true } };
      proxied = await connect({ capabilities });
      asked = answer(proxied.client, answers, capabilities);
    });
    after(async () => proxied?.close());

    const allowed = async () => text(await proxied.client.callTool({ name: 'fs__list_allowed_directories', arguments: {} }));
    const read = (dir: string) => proxied.client.callTool({ name: 'fs__read_text_file', arguments: { path: path.join(dir, 'note.txt') } });

    it('takes the client’s roots as its allowed directories', async () => {
      await waitUntil(async () => (await allowed()) === `Allowed directories:\n${one}`, `allowed directories to be ${one}`);
      assert.ok(asked.roots >= 1);
      assert.equal(text(await read(one)), 'first root\n');
      const outside = await read(two);
      assert.equal(outside.isError, true);
      assert.match(text(outside), /Access denied - path outside allowed directories/);
    });

    it('follows the client’s roots when they change', async () => {
      answers.roots = [{ uri: pathToFileURL(two).href, name: 'two' }];
      await proxied.client.sendRootsListChanged();
      await waitUntil(async () => (await allowed()) === `Allowed directories:\n${two}`, `allowed directories to be ${two}`);
      assert.equal(text(await read(two)), 'second root\n');
      assert.equal((await read(one)).isError, true);
    });
  }

  describe('over stdio', function () {
    usesTheClientsRoots(viaStdio(file));
  });

  describe('over Streamable HTTP', function () {
    const proxy = httpProxyForSuite(file);
    usesTheClientsRoots(viaHttp(proxy));
  });
});
