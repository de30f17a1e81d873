// Protocol fidelity: what a client relies on besides plain calls — progress, cancellation,
// timeouts, logging, resource subscriptions, completion, rich tool results, list changes and
// ping — arrives through the proxy exactly as the upstream sent it. Real servers
// (server-everything from npm, and the changing-tools fixture) behind the real proxy process,
// seen by the real SDK client over stdio and over Streamable HTTP; where it can, a result is
// compared with the same request made straight to server-everything.
import type { Client, Transport, JSONRPCMessage, LoggingMessageNotification, Progress } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import {
  httpProxyForSuite,
  viaHttp,
  viaStdio,
  writeConfig,
  type ClientOptions,
  type Connect as ConnectUntapped,
  type Connected as Untapped,
  type HttpProxy,
} from '../helpers/proxy.js';
import { text } from '../helpers/results.js';
import { connectDirect, everything, everythingAndChanging } from '../helpers/upstreams.js';
import { sleep, waitUntil } from '../helpers/wait.js';

/** server-everything's own documents; any two do for subscriptions. */
const DOC_A = 'demo://resource/static/document/architecture.md';
const DOC_B = 'demo://resource/static/document/features.md';

interface Connected extends Untapped {
  /** Every JSON-RPC message on the client's transport, both ways, as sent and received. */
  wire: Wire;
}
type Connect = (options?: ClientOptions) => Promise<Connected>;

interface Wire {
  incoming: JSONRPCMessage[];
  outgoing: JSONRPCMessage[];
}

/**
 * Records what crosses the client's transport. Assertions about what the proxy sent are made
 * here, below the SDK client: its Protocol runs a progress handler a microtask late, after a
 * response that arrived in the same chunk has already unregistered it, so the client itself may
 * drop a last progress step that was on the wire (it calls onerror "unknown token" instead).
 */
function tap(transport: Transport): Wire {
  const wire: Wire = { incoming: [], outgoing: [] };
  const onmessage = transport.onmessage!;
  transport.onmessage = (message, extra) => {
    wire.incoming.push(message);
    onmessage(message, extra);
  };
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    wire.outgoing.push(message);
    return send(message, options);
  };
  return wire;
}

function lastOf<T>(items: T[], match: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (match(items[i])) return items[i];
  return undefined;
}

type Message = { id?: string | number; method?: string; params?: Record<string, unknown>; result?: unknown; error?: unknown };

/** The progress the proxy sent for the last tools/call of `tool`: under which token, which steps, and whether all before the response. */
function progressOnWire(wire: Wire, tool: string) {
  const request = lastOf(wire.outgoing as Message[], (m) => m.method === 'tools/call' && m.params?.name === tool);
  assert.ok(request, `no tools/call of ${tool} on the wire`);
  const token = (request.params?._meta as { progressToken?: unknown } | undefined)?.progressToken;
  const incoming = wire.incoming as Message[];
  const responseAt = incoming.findIndex((m) => m.id === request.id && m.method === undefined);
  const notifications = incoming
    .map((m, at) => ({ m, at }))
    .filter(({ m }) => m.method === 'notifications/progress' && m.params?.progressToken === token);
  return {
    token,
    steps: notifications.map(({ m }) => {
      const { progressToken: _, ...progress } = m.params!;
      return progress;
    }),
    allBeforeResponse: responseAt >= 0 && notifications.every(({ at }) => at < responseAt),
  };
}

/** Connects as `connect` does, and taps the new client's transport. */
const tapped = (connect: ConnectUntapped): Connect => async (options) => {
  const connected = await connect(options);
  return { ...connected, wire: tap(connected.transport) };
};
const stdio = (file: string) => tapped(viaStdio(file));
const http = (proxy: () => HttpProxy) => tapped(viaHttp(proxy));

/** The eight messages server-everything's simulated logging picks from (a stdio server has no session id). */
const SIMULATED_LOGS: Record<string, string> = {
  'Debug-level message': 'debug',
  'Info-level message': 'info',
  'Notice-level message': 'notice',
  'Warning-level message': 'warning',
  'Error-level message': 'error',
  'Critical-level message': 'critical',
  'Alert level-message': 'alert',
  'Emergency-level message': 'emergency',
};

/** The same checks, whichever transport the client came in by. */
function faithfulProxy(connect: Connect) {
  let proxied: Connected;
  let client: Client;
  let direct: Client;
  before(async () => {
    [proxied, direct] = await Promise.all([connect(), connectDirect(everything)]);
    client = proxied.client;
    await client.listTools(); // upstreams connected and the catalog built
  });
  after(async () => {
    await proxied?.close();
    await direct?.close();
  });

  describe('progress', function () {
    it('relays every progress step under the caller’s own token, before the result', async () => {
      // Several calls: a step lost now and then (a race) is lost for sure by the last.
      let handed = 0;
      let sent = 0;
      for (const steps of [4, 3, 5, 2, 4, 3, 5, 2]) {
        const seen: Progress[] = [];
        const result = await client.callTool(
          { name: 'ev__trigger-long-running-operation', arguments: { duration: steps / 20, steps } },
          { onprogress: (progress) => seen.push(progress) },
        );
        assert.equal(text(result), `Long running operation completed. Duration: ${steps / 20} seconds, Steps: ${steps}.`);
        const expected = Array.from({ length: steps }, (_, i) => ({ progress: i + 1, total: steps }));
        const wire = progressOnWire(proxied.wire, 'ev__trigger-long-running-operation');
        assert.notEqual(wire.token, undefined, 'the client sent a progress token');
        assert.deepEqual(wire.steps, expected, `the proxy sent every step the upstream sent, under token ${String(wire.token)}`);
        assert.ok(wire.allBeforeResponse, 'every step arrives before the result');
        // What the SDK client hands to onprogress: the same steps, in order, but for those it reads
        // in one chunk with the result (it runs notification handlers a microtask after the
        // response has removed the call's progress handler): the last step, or more on a loaded machine.
        assert.deepEqual(seen, expected.slice(0, seen.length));
        handed += seen.length;
        sent += steps;
      }
      // A proxy that held steps back until the result would leave onprogress with none.
      assert.ok(handed >= sent / 2, `onprogress saw ${handed} of ${sent} steps`);
    });

    it('keeps the progress of two concurrent calls apart', async () => {
      const a: Progress[] = [];
      const b: Progress[] = [];
      const [ra, rb] = await Promise.all([
        client.callTool({ name: 'ev__trigger-long-running-operation', arguments: { duration: 0.6, steps: 3 } }, {
          onprogress: (p) => a.push(p),
        }),
        client.callTool({ name: 'ev__trigger-long-running-operation', arguments: { duration: 1, steps: 5 } }, {
          onprogress: (p) => b.push(p),
        }),
      ]);
      assert.match(text(ra), /Steps: 3\./);
      assert.match(text(rb), /Steps: 5\./);
      // Each callback saw only its own call's steps, in order (the last one may be lost to the SDK race).
      assert.deepEqual(a, [1, 2, 3].map((progress) => ({ progress, total: 3 })).slice(0, a.length));
      assert.deepEqual(b, [1, 2, 3, 4, 5].map((progress) => ({ progress, total: 5 })).slice(0, b.length));
      assert.ok(a.length >= 2 && b.length >= 4, `a saw ${a.length}, b saw ${b.length}`);
      const calls = (proxied.wire.outgoing as Message[]).filter((m) => m.method === 'tools/call').slice(-2);
      const tokens = calls.map((m) => (m.params?._meta as { progressToken: unknown }).progressToken);
      assert.notEqual(tokens[0], tokens[1]);
      for (const [token, total] of [
        [tokens[0], 3],
        [tokens[1], 5],
      ]) {
        const steps = (proxied.wire.incoming as Message[])
          .filter((m) => m.method === 'notifications/progress' && m.params?.progressToken === token)
          .map((m) => [m.params?.progress, m.params?.total]);
        // In order and never another call's; completeness is the first test's business.
        const expected = Array.from({ length: total as number }, (_, i) => [i + 1, total]);
        assert.deepEqual(steps, expected.slice(0, steps.length), `steps under token ${String(token)}`);
        assert.ok(steps.length >= (total as number) - 1, `${steps.length} of ${total} steps under token ${String(token)}`);
      }
    });

    it('sends no progress to a caller that asked for none', async () => {
      const from = proxied.wire.incoming.length;
      const result = await client.callTool({ name: 'ev__trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } });
      assert.match(text(result), /Steps: 3\./);
      const request = lastOf(proxied.wire.outgoing as Message[], (m) => m.method === 'tools/call')!;
      assert.equal((request.params?._meta as { progressToken?: unknown } | undefined)?.progressToken, undefined);
      await sleep(100);
      assert.deepEqual((proxied.wire.incoming.slice(from) as Message[]).filter((m) => m.method === 'notifications/progress'), []);
    });
  });

  describe('cancellation', function () {
    it('rejects an aborted call at once, sends no more of its progress, and the upstream still answers', async () => {
      const controller = new AbortController();
      const errors: Error[] = [];
      client.onerror = (error) => errors.push(error);
      let firstProgress!: () => void;
      const progressed = new Promise<void>((resolve) => (firstProgress = resolve));
      let progressCount = 0;
      try {
        const call = client.callTool({ name: 'ev__trigger-long-running-operation', arguments: { duration: 20, steps: 50 } }, {
          signal: controller.signal,
          onprogress: () => {
            progressCount++;
            firstProgress();
          },
        });
        await progressed;
        const abortedAt = Date.now();
        controller.abort('user gave up');
        await assert.rejects(call, /user gave up/);
        assert.ok(Date.now() - abortedAt < 500, 'the promise rejects promptly');
        const countAtAbort = progressCount;
        await sleep(1_200); // three more upstream steps' worth
        assert.equal(progressCount, countAtAbort, 'no progress after the abort');
        assert.deepEqual(
          errors.map((e) => e.message),
          [],
          'nothing arrives for the cancelled request (the SDK reports progress for an unknown token as an error)',
        );
        assert.equal(text(await client.callTool({ name: 'ev__echo', arguments: { message: 'still here' } })), 'Echo: still here');
      } finally {
        client.onerror = undefined;
      }
    });

    it('tells the upstream, which stops the request with the client’s reason', async () => {
      const before = JSON.parse(text(await client.callTool({ name: 'chg__cancellations', arguments: {} }))) as unknown[];
      const controller = new AbortController();
      const call = client.callTool({ name: 'chg__sleep', arguments: { ms: 30_000 } }, { signal: controller.signal });
      await sleep(500); // the request is at the upstream by now
      controller.abort('changed my mind');
      await assert.rejects(call);
      let cancellations: Array<{ ms: number; reason: unknown; afterMs: number }> = [];
      for (let i = 0; i < 40 && cancellations.length <= before.length; i++) {
        if (i > 0) await sleep(50);
        cancellations = JSON.parse(text(await client.callTool({ name: 'chg__cancellations', arguments: {} })));
      }
      assert.equal(cancellations.length, before.length + 1, 'the upstream saw notifications/cancelled for its request');
      const [cancelled] = cancellations.slice(before.length);
      assert.equal(cancelled.ms, 30_000);
      assert.ok(cancelled.afterMs < 2_000, `stopped after ${cancelled.afterMs} ms`);
      assert.equal(cancelled.reason, 'changed my mind', 'the client’s reason reaches the upstream');
    });
  });

  describe('logging', function () {
    it('forwards the upstream’s log messages unchanged but for `logger`, which names the upstream', async () => {
      const logs: LoggingMessageNotification['params'][] = [];
      client.setNotificationHandler('notifications/message', (notification) => void logs.push(notification.params));
      try {
        assert.deepEqual(await client.setLoggingLevel('debug'), {});
        const started = await client.callTool({ name: 'ev__toggle-simulated-logging', arguments: {} });
        assert.match(text(started), /^Started simulated, random-leveled logging/);
        // One message at once, then one every 5 s: the first is enough.
        await waitUntil(() => logs.some((log) => typeof log.data === 'string' && log.data in SIMULATED_LOGS), 'a simulated log message');
        const stopped = await client.callTool({ name: 'ev__toggle-simulated-logging', arguments: {} });
        assert.match(text(stopped), /^Stopped simulated logging/);
        const simulated = logs.filter((log) => typeof log.data === 'string' && log.data in SIMULATED_LOGS);
        for (const log of simulated) {
          assert.deepEqual(log, { level: SIMULATED_LOGS[log.data as string], data: log.data, logger: 'everything' });
        }
      } finally {
        client.removeNotificationHandler('notifications/message');
      }
    });

    it('forwards a log sent outside any call (a subscription’s acknowledgement)', async () => {
      // server-everything acknowledges resources/subscribe with an info log; the proxy
      // subscribes on its own behalf, so the log belongs to no call of the client's.
      const logs: LoggingMessageNotification['params'][] = [];
      client.setNotificationHandler('notifications/message', (notification) => void logs.push(notification.params));
      try {
        await client.setLoggingLevel('info');
        await client.subscribeResource({ uri: DOC_B });
        await waitUntil(() => logs.some((log) => String(log.data).includes(DOC_B)), 'the subscription log');
        const ack = logs.find((log) => String(log.data).includes(DOC_B))!;
        assert.deepEqual(ack, { level: 'info', data: `Received Subscribe Resource request for URI: ${DOC_B} `, logger: 'everything' });
        await client.unsubscribeResource({ uri: DOC_B });
      } finally {
        client.removeNotificationHandler('notifications/message');
        await client.setLoggingLevel('debug');
      }
    });

    it('applies the client’s log level, and passes data and the upstream’s own logger through', async () => {
      const logs: LoggingMessageNotification['params'][] = [];
      client.setNotificationHandler('notifications/message', (notification) => void logs.push(notification.params));
      const levels = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;
      try {
        await client.setLoggingLevel('warning');
        for (const level of levels) {
          const data = { level, nested: { list: [1, 'two', null], flag: true } };
          assert.equal(text(await client.callTool({ name: 'chg__log', arguments: { level, data, logger: 'audit' } })), `logged ${level}`);
        }
        await client.callTool({ name: 'chg__log', arguments: { level: 'error', data: 'plain text' } });
        await client.callTool({ name: 'chg__log', arguments: { level: 'info', data: 'below the level' } });
        await sleep(100);
        assert.deepEqual(
          logs.filter((log) => log.logger?.startsWith('changing')),
          [
            ...levels.slice(3).map((level) => ({
              level,
              data: { level, nested: { list: [1, 'two', null], flag: true } },
              logger: 'changing/audit',
            })),
            { level: 'error', data: 'plain text', logger: 'changing' },
          ],
        );
      } finally {
        client.removeNotificationHandler('notifications/message');
        await client.setLoggingLevel('debug');
      }
    });
  });

  describe('resource subscriptions', function () {
    it('delivers updates for a subscribed URI, and none after unsubscribing', async () => {
      const updates: string[] = [];
      client.setNotificationHandler('notifications/resources/updated', (notification) => void updates.push(notification.params.uri));
      try {
        assert.deepEqual(await client.subscribeResource({ uri: DOC_A }), {});
        assert.match(text(await client.callTool({ name: 'ev__toggle-subscriber-updates', arguments: {} })), /^Started/);
        await waitUntil(() => updates.length > 0, 'notifications/resources/updated');
        assert.match(text(await client.callTool({ name: 'ev__toggle-subscriber-updates', arguments: {} })), /^Stopped/);
        assert.ok(updates.every((uri) => uri === DOC_A), `updates: ${updates.join(', ')}`);

        assert.deepEqual(await client.unsubscribeResource({ uri: DOC_A }), {});
        const seen = updates.length;
        // Turning updates on sends one round at once: for no URI now.
        await client.callTool({ name: 'ev__toggle-subscriber-updates', arguments: {} });
        await client.callTool({ name: 'ev__toggle-subscriber-updates', arguments: {} });
        await sleep(300);
        assert.equal(updates.length, seen, 'no update after unsubscribing');
      } finally {
        client.removeNotificationHandler('notifications/resources/updated');
      }
    });
  });

  describe('completion', function () {
    it('completes a prompt argument as the upstream does, with the context of other arguments', async () => {
      const plain = await client.complete({
        ref: { type: 'ref/prompt', name: 'ev__completable-prompt' },
        argument: { name: 'department', value: 'S' },
      });
      assert.deepEqual(plain.completion.values, ['Sales', 'Support']);
      assert.deepEqual(
        plain,
        await direct.complete({ ref: { type: 'ref/prompt', name: 'completable-prompt' }, argument: { name: 'department', value: 'S' } }),
      );
      const withContext = await client.complete({
        ref: { type: 'ref/prompt', name: 'ev__completable-prompt' },
        argument: { name: 'name', value: '' },
        context: { arguments: { department: 'Marketing' } },
      });
      assert.deepEqual(withContext.completion.values, ['Grace', 'Henry', 'Iris']);
      assert.deepEqual(
        withContext,
        await direct.complete({
          ref: { type: 'ref/prompt', name: 'completable-prompt' },
          argument: { name: 'name', value: '' },
          context: { arguments: { department: 'Marketing' } },
        }),
      );
    });

    it('completes a resource template variable', async () => {
      const ref = { type: 'ref/resource' as const, uri: 'demo://resource/dynamic/text/{resourceId}' };
      const result = await client.complete({ ref, argument: { name: 'resourceId', value: '42' } });
      assert.deepEqual(result.completion.values, ['42']);
      assert.deepEqual(result, await direct.complete({ ref, argument: { name: 'resourceId', value: '42' } }));
      const none = await client.complete({ ref, argument: { name: 'resourceId', value: 'x' } });
      assert.deepEqual(none.completion.values, []);
    });
  });

  describe('rich results', function () {
    it('passes structured content through unchanged, valid against the output schema', async () => {
      const { tools } = await client.listTools();
      const tool = tools.find((t) => t.name === 'ev__get-structured-content');
      assert.ok(tool?.outputSchema, 'the output schema is listed');
      assert.deepEqual(Object.keys(tool.outputSchema.properties ?? {}).sort(), ['conditions', 'humidity', 'temperature']);
      for (const location of ['New York', 'Chicago', 'Los Angeles']) {
        const proxiedResult = await client.callTool({ name: 'ev__get-structured-content', arguments: { location } });
        const directResult = await direct.callTool({ name: 'get-structured-content', arguments: { location } });
        assert.deepEqual(proxiedResult, directResult, location);
      }
      const chicago = await client.callTool({ name: 'ev__get-structured-content', arguments: { location: 'Chicago' } });
      assert.deepEqual(chicago.structuredContent, { temperature: 36, conditions: 'Light rain / drizzle', humidity: 82 });
      assert.equal(text(chicago), JSON.stringify(chicago.structuredContent));
    });

    it('passes image content, resource links and annotations through unchanged', async () => {
      const calls: Array<[string, Record<string, unknown>]> = [
        ['get-tiny-image', {}],
        ['get-resource-links', { count: 4 }],
        ['get-annotated-message', { messageType: 'error', includeImage: true }],
        ['get-annotated-message', { messageType: 'success' }],
        ['get-annotated-message', { messageType: 'debug' }],
      ];
      for (const [name, args] of calls) {
        const proxiedResult = await client.callTool({ name: `ev__${name}`, arguments: args });
        assert.deepEqual(proxiedResult, await direct.callTool({ name, arguments: args }), `${name} ${JSON.stringify(args)}`);
      }
      const image = await client.callTool({ name: 'ev__get-tiny-image', arguments: {} });
      const [, picture] = image.content as Array<{ type: string; mimeType?: string; data?: string }>;
      assert.equal(picture.type, 'image');
      assert.equal(picture.mimeType, 'image/png');
      assert.ok(Buffer.from(picture.data!, 'base64').subarray(1, 4).equals(Buffer.from('PNG')), 'the PNG arrives intact');

      const links = await client.callTool({ name: 'ev__get-resource-links', arguments: { count: 2 } });
      assert.deepEqual((links.content as unknown[]).slice(1), [
        {
          type: 'resource_link',
          uri: 'demo://resource/dynamic/blob/1',
          name: 'Blob Resource 1',
          description: 'Resource 1: plaintext resource',
          mimeType: 'text/plain',
        },
        {
          type: 'resource_link',
          uri: 'demo://resource/dynamic/text/2',
          name: 'Text Resource 2',
          description: 'Resource 2: plaintext resource',
          mimeType: 'text/plain',
        },
      ]);
      const annotated = await client.callTool({ name: 'ev__get-annotated-message', arguments: { messageType: 'error' } });
      assert.deepEqual(annotated.content, [
        { type: 'text', text: 'Error: Operation failed', annotations: { priority: 1.0, audience: ['user', 'assistant'] } },
      ]);
    });

    it('lists tools, prompts, resources and templates as the upstream does, only names prefixed', async () => {
      const [tools, directTools] = [(await client.listTools()).tools, (await direct.listTools()).tools];
      assert.deepEqual(
        tools.filter((t) => t.name.startsWith('ev__')),
        directTools.map((t) => ({ ...t, name: `ev__${t.name}` })),
      );
      const [prompts, directPrompts] = [(await client.listPrompts()).prompts, (await direct.listPrompts()).prompts];
      assert.deepEqual(prompts, directPrompts.map((p) => ({ ...p, name: `ev__${p.name}` })));
      assert.deepEqual(await client.listResources(), await direct.listResources());
      assert.deepEqual(await client.listResourceTemplates(), await direct.listResourceTemplates());
    });

    it('returns prompts and resource contents unchanged', async () => {
      assert.deepEqual(
        await client.getPrompt({ name: 'ev__args-prompt', arguments: { city: 'Porto', state: 'Norte' } }),
        await direct.getPrompt({ name: 'args-prompt', arguments: { city: 'Porto', state: 'Norte' } }),
      );
      assert.deepEqual(await client.readResource({ uri: DOC_A }), await direct.readResource({ uri: DOC_A }));
    });

    it('passes the upstream’s errors through with code, message and data', async () => {
      type Outcome = { result: unknown } | { error: { code?: number; message: string; data?: unknown } };
      const outcome = (promise: Promise<unknown>): Promise<Outcome> =>
        promise.then(
          (result) => ({ result }),
          (error: Error & { code?: number; data?: unknown }) => ({ error: { code: error.code, message: error.message, data: error.data } }),
        );
      const pairs: Array<[string, () => Promise<unknown>, () => Promise<unknown>]> = [
        [
          'resources/read of a template URI the upstream rejects',
          () => client.readResource({ uri: 'demo://resource/dynamic/text/0' }),
          () => direct.readResource({ uri: 'demo://resource/dynamic/text/0' }),
        ],
        [
          'prompts/get without a required argument',
          () => client.getPrompt({ name: 'ev__args-prompt', arguments: {} }),
          () => direct.getPrompt({ name: 'args-prompt', arguments: {} }),
        ],
        [
          'tools/call with an argument the schema refuses',
          () => client.callTool({ name: 'ev__get-structured-content', arguments: { location: 'Paris' } }),
          () => direct.callTool({ name: 'get-structured-content', arguments: { location: 'Paris' } }),
        ],
      ];
      for (const [what, proxiedCall, directCall] of pairs) {
        const [proxiedOutcome, directOutcome] = await Promise.all([outcome(proxiedCall()), outcome(directCall())]);
        assert.deepEqual(proxiedOutcome, directOutcome, what);
        if (what.startsWith('resources/read')) {
          assert.ok('error' in proxiedOutcome && proxiedOutcome.error.code !== undefined, `${what}: ${JSON.stringify(proxiedOutcome)}`);
          assert.match(proxiedOutcome.error.message, /Unknown resource: demo:\/\/resource\/dynamic\/text\/0/);
        }
      }
    });
  });

  describe('list changes', function () {
    /** Waits for stray list_changed (the proxy announces upstreams as they connect), then counts anew. */
    async function listChanges(): Promise<{ count(): number; stop(): void }> {
      let count = 0;
      client.setNotificationHandler('notifications/tools/list_changed', () => void count++);
      await client.listTools();
      await sleep(200);
      count = 0;
      return { count: () => count, stop: () => client.removeNotificationHandler('notifications/tools/list_changed') };
    }

    it('announces a tool added at run time, which the next tools/list shows and which can be called', async () => {
      const changes = await listChanges();
      try {
        assert.ok(!(await client.listTools()).tools.some((t) => t.name === 'chg__greet'));
        const added = await client.callTool({ name: 'chg__add-tool', arguments: { name: 'greet', reply: 'hello, proxy' } });
        assert.equal(text(added), 'added greet');
        await waitUntil(() => changes.count() > 0, 'notifications/tools/list_changed');
        const greet = (await client.listTools()).tools.find((t) => t.name === 'chg__greet');
        assert.ok(greet, 'the new tool is listed under its namespace');
        assert.equal(greet.description, 'Added at run time: answers "hello, proxy"');
        assert.equal(text(await client.callTool({ name: 'chg__greet', arguments: {} })), 'hello, proxy');
      } finally {
        changes.stop();
      }
    });

    it('announces a removed tool, which is then gone', async () => {
      await client.callTool({ name: 'chg__add-tool', arguments: { name: 'fleeting' } });
      assert.ok((await client.listTools()).tools.some((t) => t.name === 'chg__fleeting'));
      const changes = await listChanges();
      try {
        assert.equal(text(await client.callTool({ name: 'chg__remove-tool', arguments: { name: 'fleeting' } })), 'removed fleeting');
        await waitUntil(() => changes.count() > 0, 'notifications/tools/list_changed');
        assert.ok(!(await client.listTools()).tools.some((t) => t.name === 'chg__fleeting'), 'the removed tool is no longer listed');
        await assert.rejects(client.callTool({ name: 'chg__fleeting', arguments: {} }), /Unknown tool: chg__fleeting/);
      } finally {
        changes.stop();
      }
    });
  });

  describe('ping', function () {
    it('answers the client’s ping', async () => {
      assert.deepEqual(await client.ping(), {});
    });

    it('answers an upstream’s ping', async () => {
      assert.equal(text(await client.callTool({ name: 'chg__ping-client', arguments: {} })), 'pong {}');
    });
  });
}

/** Resource updates of a shared upstream reach only the sessions that subscribed to them. */
function subscriptionsStayPerSession(connect: Connect) {
  let a: Connected;
  let b: Connected;
  const updates = { a: [] as string[], b: [] as string[] };
  before(async () => {
    [a, b] = await Promise.all([connect(), connect()]);
    a.client.setNotificationHandler('notifications/resources/updated', (n) => void updates.a.push(n.params.uri));
    b.client.setNotificationHandler('notifications/resources/updated', (n) => void updates.b.push(n.params.uri));
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  it('sends each session the updates of its own subscriptions only', async () => {
    await a.client.subscribeResource({ uri: DOC_A });
    await b.client.subscribeResource({ uri: DOC_B });
    assert.match(text(await a.client.callTool({ name: 'ev__toggle-subscriber-updates', arguments: {} })), /^Started/);
    try {
      await waitUntil(() => updates.a.length > 0 && updates.b.length > 0, 'an update in each session');
      await sleep(200);
      assert.ok(updates.a.every((uri) => uri === DOC_A), `session A got ${updates.a.join(', ')}`);
      assert.ok(updates.b.every((uri) => uri === DOC_B), `session B got ${updates.b.join(', ')}`);

      // A lets go: B still hears of DOC_B, A of nothing. A new round starts with the toggle.
      await a.client.unsubscribeResource({ uri: DOC_A });
      await a.client.callTool({ name: 'ev__toggle-subscriber-updates', arguments: {} });
      const [seenA, seenB] = [updates.a.length, updates.b.length];
      await a.client.callTool({ name: 'ev__toggle-subscriber-updates', arguments: {} });
      await waitUntil(() => updates.b.length > seenB, 'a new update for session B');
      await sleep(300);
      assert.equal(updates.a.length, seenA, `session A got ${updates.a.slice(seenA).join(', ')} after unsubscribing`);
      assert.ok(updates.b.every((uri) => uri === DOC_B));
    } finally {
      await a.client.callTool({ name: 'ev__toggle-subscriber-updates', arguments: {} }).catch(() => {});
      await b.client.unsubscribeResource({ uri: DOC_B }).catch(() => {});
    }
  });
}

/** A slow upstream: a call without progress ends at its timeoutMs; progress keeps a call alive. */
const timeoutConfig = { upstreams: { slow: { ...everything, namespace: 'slow', timeoutMs: 1500 } } };

function timesOut(connect: Connect) {
  let proxied: Connected;
  before(async () => {
    proxied = await connect();
    // The upstream's start is not what is timed: its tools listed, a call's own timeout is.
    await waitUntil(async () => (await proxied.client.listTools()).tools.some((tool) => tool.name === 'slow__echo'), 'slow__echo listed', 20_000);
  });
  after(async () => proxied?.close());

  it('answers a call that gets no answer within timeoutMs with an error naming the upstream', async () => {
    const started = Date.now();
    await assert.rejects(
      proxied.client.callTool({ name: 'slow__trigger-long-running-operation', arguments: { duration: 4, steps: 1 } }),
      (error: Error & { code?: number; data?: unknown }) => {
        assert.equal(error.code, -32001);
        assert.equal(error.message, "Upstream 'slow' did not answer tools/call within 1500 ms");
        assert.deepEqual(error.data, { upstream: 'slow' });
        return true;
      },
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 1_400 && elapsed < 3_500, `failed after ${elapsed} ms`);
    assert.equal(text(await proxied.client.callTool({ name: 'slow__echo', arguments: { message: 'after' } })), 'Echo: after');
  });

  it('lets progress keep a call alive past timeoutMs', async () => {
    const result = await proxied.client.callTool(
      { name: 'slow__trigger-long-running-operation', arguments: { duration: 2.4, steps: 3 } },
      { onprogress: () => {} },
    );
    assert.equal(text(result), 'Long running operation completed. Duration: 2.4 seconds, Steps: 3.');
    // 0.8 s between steps, 1.5 s allowed: the call lives on the first two (the last is the first test's business).
    const { steps } = progressOnWire(proxied.wire, 'slow__trigger-long-running-operation');
    assert.deepEqual(steps.slice(0, 2), [1, 2].map((progress) => ({ progress, total: 3 })));
  });
}

describe('protocol fidelity over stdio', function () {
  faithfulProxy(stdio(writeConfig(everythingAndChanging)));
  describe('timeouts', function () {
    timesOut(stdio(writeConfig(timeoutConfig)));
  });
});

describe('protocol fidelity over Streamable HTTP', function () {
  const proxy = httpProxyForSuite(writeConfig(everythingAndChanging));

  faithfulProxy(http(proxy));

  it('sends no resource updates to a session that did not subscribe', async () => {
    const [a, b] = await Promise.all([http(proxy)(), http(proxy)()]);
    const updates = { a: [] as string[], b: [] as string[] };
    a.client.setNotificationHandler('notifications/resources/updated', (n) => void updates.a.push(n.params.uri));
    b.client.setNotificationHandler('notifications/resources/updated', (n) => void updates.b.push(n.params.uri));
    try {
      await b.client.listTools();
      await a.client.subscribeResource({ uri: DOC_A });
      await a.client.callTool({ name: 'ev__toggle-subscriber-updates', arguments: {} });
      await waitUntil(() => updates.a.length > 0, 'the subscriber’s update');
      await a.client.callTool({ name: 'ev__toggle-subscriber-updates', arguments: {} });
      await sleep(300);
      assert.deepEqual(updates.b, []);
    } finally {
      await a.close();
      await b.close();
    }
  });

  describe('a shared upstream', function () {
    const shared = httpProxyForSuite(writeConfig({ upstreams: { everything: { ...everything, namespace: 'ev', shared: true } } }));
    subscriptionsStayPerSession(http(shared));
  });

  describe('timeouts', function () {
    const slow = httpProxyForSuite(writeConfig(timeoutConfig));
    timesOut(http(slow));
  });
});
