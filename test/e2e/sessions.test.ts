// A long-running HTTP proxy: sessions that pile up without DELETE do not starve the upstream
// sockets, idle sessions end and release their upstreams, a dropped client stream resumes with
// Last-Event-ID, a full upstream pool is a clear error, and a shared Streamable HTTP upstream
// sends each sampling request to the session whose call asked. The real proxy process, real
// SDK clients and raw HTTP on 127.0.0.1, the conformance fixture served over Streamable HTTP
// and the crashing-server fixture over stdio.
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/client';
import type { Client, CreateMessageResult } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import { startConformanceFixture, type StartedProcess } from '../conformance/suite.js';
import { POST_HEADERS, postJsonRpc, rawSession, sseEvents, sseMessages, type SseEvent } from '../helpers/jsonrpc.js';
import { childrenOf } from '../helpers/processes.js';
import { connectHttp, startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';
import { text } from '../helpers/results.js';
import { everything, fixture } from '../helpers/upstreams.js';
import { sleep, waitUntil } from '../helpers/wait.js';

/** Reads SSE events off a streaming body until `enough` holds; leaves the body open. */
async function readUntil(body: ReadableStream<Uint8Array>, enough: (events: SseEvent[]) => boolean): Promise<SseEvent[]> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let received = '';
  for (;;) {
    const events = sseEvents(received.slice(0, received.lastIndexOf('\n\n') + 2));
    if (enough(events)) {
      reader.releaseLock();
      return events;
    }
    const { done, value } = await reader.read();
    if (done) assert.fail(`the stream ended before it had what was expected:\n${received}`);
    received += decoder.decode(value, { stream: true });
  }
}

const messages = (events: SseEvent[]) => events.filter((e) => e.data !== '').map((e) => JSON.parse(e.data) as Record<string, unknown>);

describe('HTTP sessions that pile up: 100 sessions on a remote Streamable HTTP upstream, never deleted', function () {
  this.timeout(180_000);
  let upstream: StartedProcess;
  let proxy: HttpProxy;
  const clients: Client[] = [];
  before(async () => {
    upstream = await startConformanceFixture();
    proxy = await startHttpProxy(writeConfig({ upstreams: { remote: { url: upstream.url, namespace: '' } } }));
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => {})));
    await proxy?.stop();
    await upstream?.stop();
  });

  it('every session gets the full catalog, and a fresh session still lists and calls', async () => {
    // Each session's own upstream connection holds a GET stream open for the session's life.
    for (let batch = 0; batch < 10; batch++) {
      const opened = await Promise.all(Array.from({ length: 10 }, () => connectHttp(proxy.url)));
      for (const { client } of opened) clients.push(client);
      const counts = await Promise.all(opened.map(async ({ client }) => (await client.listTools()).tools.length));
      for (const count of counts) assert.ok(count > 0, `session ${clients.length}: an empty catalog`);
    }
    const { client: fresh } = await connectHttp(proxy.url);
    clients.push(fresh);
    const tools = (await fresh.listTools()).tools.map((t) => t.name);
    assert.deepEqual(tools, (await clients[0].listTools()).tools.map((t) => t.name));
    assert.equal(text(await fresh.callTool({ name: 'test_simple_text', arguments: {} })), 'This is a simple text response for testing.');
  });
});

describe('idle HTTP sessions end', function () {
  this.timeout(60_000);
  let proxy: HttpProxy;
  before(async () => {
    const slow = fixture('crashing-server');
    proxy = await startHttpProxy(writeConfig({ server: { sessionIdleMs: 400 }, upstreams: { slow: { ...slow, namespace: 's', spares: 0 } } }));
  });
  after(async () => proxy?.stop());

  it('a session its client left without DELETE ends after sessionIdleMs: its child is gone and its id gets 404', async () => {
    const { client, transport } = await connectHttp(proxy.url);
    assert.equal(text(await client.callTool({ name: 's__echo', arguments: { text: 'hi' } })), 'hi');
    const sessionId = transport.sessionId!;
    assert.equal(childrenOf(proxy.child.pid!).length, 1, 'the session has its own upstream process');
    await client.close(); // what the SDK client and the Inspector do: no DELETE

    await waitUntil(() => childrenOf(proxy.child.pid!).length === 0, 'the idle session’s upstream process to exit', 10_000);
    const late = await postJsonRpc(proxy.url, { jsonrpc: '2.0', id: 5, method: 'tools/list' }, {
      'mcp-session-id': sessionId,
      'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
    });
    assert.equal(late.status, 404);
    assert.match(proxy.stderr(), new RegExp(`\\[session=${sessionId}\\] session ended: idle for 400 ms`));
  });

  it('a session with an open stream or a call in flight lives on past sessionIdleMs', async () => {
    const { client } = await connectHttp(proxy.url); // holds its GET stream open
    // A call longer than the idle time, then quiet with only the stream open.
    assert.match(text(await client.callTool({ name: 's__slow', arguments: { ms: 1_000 } })), /maxConcurrent/);
    await sleep(1_000);
    assert.equal(text(await client.callTool({ name: 's__echo', arguments: { text: 'still here' } })), 'still here');
    await client.close();
  });

  it('the log says why each session ended: DELETE, and shutdown', async () => {
    const deleted = await connectHttp(proxy.url);
    await deleted.client.listTools();
    const deletedId = deleted.transport.sessionId!;
    await deleted.transport.terminateSession();
    await deleted.client.close();
    await waitUntil(() => proxy.stderr().includes(`[session=${deletedId}] session ended: DELETE`), 'the DELETE to be logged');

    const open = await connectHttp(proxy.url);
    await open.client.listTools();
    const openId = open.transport.sessionId!;
    await proxy.stop();
    assert.match(proxy.stderr(), new RegExp(`\\[session=${openId}\\] session ended: shutdown`));
  });
});

describe('a session that ends ends its sessions upstream too', function () {
  it('sends DELETE to a Streamable HTTP upstream (here another mcproxy), which frees its session at once', async () => {
    const inner = await startHttpProxy(writeConfig({ upstreams: { echo: fixture('crashing-server') } }));
    // legacy: DELETE ends a 2025-11-25 session; under `protocol: auto` the inner mcproxy would be spoken to statelessly.
    const outer = await startHttpProxy(writeConfig({ upstreams: { inner: { url: inner.url, transport: 'streamable-http', protocol: 'legacy' } } }));
    try {
      const { client, transport } = await connectHttp(outer.url);
      assert.ok((await client.listTools()).tools.some((tool) => tool.name === 'inner__echo__echo'));
      await transport.terminateSession();
      await client.close();
      await waitUntil(() => /session ended: DELETE/.test(inner.stderr()), 'the inner proxy to log its session ended by DELETE');
    } finally {
      await outer.stop();
      await inner.stop();
    }
  });
});

describe('a client stream that drops mid-call resumes with Last-Event-ID', function () {
  let proxy: HttpProxy;
  before(async () => {
    const slow = fixture('crashing-server');
    proxy = await startHttpProxy(writeConfig({ server: { resumption: { retryMs: 1_500 } }, upstreams: { slow: { ...slow, namespace: 's' } } }));
  });
  after(async () => proxy?.stop());

  it('a 2025-11-25 client gets a priming event with an id and retry, and after reconnecting, the call’s result', async () => {
    const sessionId = await rawSession(proxy.url);
    const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION };
    const dropped = new AbortController();
    const call = await fetch(proxy.url, {
      method: 'POST',
      headers: { ...POST_HEADERS, ...headers },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 's__slow', arguments: { ms: 800 } } }),
      signal: dropped.signal,
    });
    assert.equal(call.headers.get('content-type'), 'text/event-stream');
    const [priming] = await readUntil(call.body!, (events) => events.length > 0);
    assert.ok(priming.id, 'the priming event has an id');
    assert.equal(priming.retry, 1_500);
    assert.equal(priming.data, '');
    dropped.abort(); // the stream drops before the result
    // As the spec asks of a client, it waits `retry` before reconnecting (by then the proxy has
    // seen the old stream go; a resumption while it still looks open gets 409).
    await sleep(priming.retry!);

    const resumed = await fetch(proxy.url, {
      headers: { ...headers, accept: 'text/event-stream', 'last-event-id': priming.id! },
    });
    assert.equal(resumed.status, 200);
    const events = await readUntil(resumed.body!, (seen) => messages(seen).some((m) => m.id === 7));
    const result = messages(events).find((m) => m.id === 7) as { result: unknown };
    assert.match(text(result.result), /maxConcurrent/);
    for (const event of events) assert.ok(event.id, 'every event carries an id');
    await resumed.body!.cancel();
  });

  it('a resumption after an event no longer kept gets 400, not a hang', async () => {
    const sessionId = await rawSession(proxy.url);
    const resumed = await fetch(proxy.url, {
      headers: { 'mcp-session-id': sessionId, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION, accept: 'text/event-stream', 'last-event-id': '999999' },
    });
    assert.equal(resumed.status, 400);
    await resumed.text();
  });

  it('the SSE body of a plain call still carries the result (sseMessages skips the priming event)', async () => {
    const sessionId = await rawSession(proxy.url);
    const response = await postJsonRpc(proxy.url, { jsonrpc: '2.0', id: 3, method: 'tools/list' }, {
      'mcp-session-id': sessionId,
      'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
    });
    const body = await response.text();
    assert.ok(sseEvents(body).some((event) => event.data === '' && event.id), 'a priming event');
    assert.ok(sseMessages(body).some((message) => message.id === 3 && 'result' in message));
  });
});

/** A client that samples: answers with `answer`, once `release` resolves. */
function sampler(client: Client, answer: string, release: Promise<void> = Promise.resolve()): { asked: string[] } {
  const asked: string[] = [];
  client.setRequestHandler('sampling/createMessage', async (request): Promise<CreateMessageResult> => {
    const content = request.params.messages[0].content as { text: string };
    asked.push(content.text);
    await release;
    return { model: 'test', role: 'assistant', content: { type: 'text', text: answer } };
  });
  return { asked };
}

describe('a Streamable HTTP upstream', function () {
  this.timeout(60_000);
  let upstream: StartedProcess;
  before(async () => {
    upstream = await startConformanceFixture();
  });
  after(async () => upstream?.stop());

  it('sends each sampling request to the session whose call asked, with two calls in flight', async () => {
    const proxy = await startHttpProxy(writeConfig({ upstreams: { remote: { url: upstream.url, namespace: '', shared: true } } }));
    const [a, b] = await Promise.all([connectHttp(proxy.url, { capabilities: { sampling: {} } }), connectHttp(proxy.url, { capabilities: { sampling: {} } })]);
    try {
      let releaseA!: () => void;
      const samplerA = sampler(a.client, 'from A', new Promise<void>((resolve) => (releaseA = resolve)));
      const samplerB = sampler(b.client, 'from B');
      const callA = a.client.callTool({ name: 'test_sampling', arguments: { prompt: 'for A' } });
      await waitUntil(() => samplerA.asked.length === 1, 'A to be asked');
      // A's call is still in flight: the old "one call in flight" rule could not place B's request.
      const resultB = await b.client.callTool({ name: 'test_sampling', arguments: { prompt: 'for B' } });
      assert.equal(text(resultB), 'LLM response: from B');
      releaseA();
      assert.equal(text(await callA), 'LLM response: from A');
      assert.deepEqual(samplerA.asked, ['for A']);
      assert.deepEqual(samplerB.asked, ['for B']);
    } finally {
      await a.client.close();
      await b.client.close();
      await proxy.stop();
    }
  });

  it('resumes a call whose upstream stream dropped mid-call (GET with Last-Event-ID) and returns its result', async () => {
    // test_reconnection closes its POST stream after one event; its result only comes on the resumed stream.
    const proxy = await startHttpProxy(writeConfig({ upstreams: { remote: { url: upstream.url, namespace: '' } } }));
    const { client } = await connectHttp(proxy.url);
    try {
      assert.equal(text(await client.callTool({ name: 'test_reconnection', arguments: {} })), 'Reconnection test completed successfully.');
    } finally {
      await client.close();
      await proxy.stop();
    }
  });

  it('a full request pool is an error naming the upstream and its limit, and the held calls still complete', async () => {
    const proxy = await startHttpProxy(writeConfig({ upstreams: { remote: { url: upstream.url, namespace: '', maxRequests: 4 } } }));
    const { client } = await connectHttp(proxy.url, { capabilities: { sampling: {} } });
    try {
      await client.listTools(); // the catalog (four lists at once) is in before the pool fills
      let release!: () => void;
      const held = sampler(client, 'held', new Promise<void>((resolve) => (release = resolve)));
      const holding = [1, 2, 3, 4].map((n) => client.callTool({ name: 'test_sampling', arguments: { prompt: `hold ${n}` } }));
      await waitUntil(() => held.asked.length === 4, 'four sampling requests');
      await assert.rejects(client.callTool({ name: 'test_simple_text', arguments: {} }), (error: Error) => {
        assert.match(error.message, /upstream 'remote' already has 4 HTTP requests open, its `maxRequests` limit: refused rather than queued/);
        return true;
      });
      release(); // the sampling answers are replies: they get through although the request pool is full
      for (const result of await Promise.all(holding)) assert.equal(text(result), 'LLM response: held');
      assert.equal(text(await client.callTool({ name: 'test_simple_text', arguments: {} })), 'This is a simple text response for testing.');
    } finally {
      await client.close();
      await proxy.stop();
    }
  });
});

describe('progress on a shared upstream', function () {
  let proxy: HttpProxy;
  before(async () => {
    proxy = await startHttpProxy(writeConfig({ upstreams: { everything: { ...everything, namespace: 'ev', shared: true } } }));
  });
  after(async () => proxy?.stop());

  it('two sessions using the same progressToken each get their own call’s progress, under their token', async () => {
    // The proxy sends the upstream a token of its own per call: the clients' tokens clash.
    const call = async (steps: number) => {
      const sessionId = await rawSession(proxy.url);
      const response = await postJsonRpc(
        proxy.url,
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'ev__trigger-long-running-operation', arguments: { duration: 0.5, steps }, _meta: { progressToken: 'same' } },
        },
        { 'mcp-session-id': sessionId, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION },
      );
      return sseMessages(await response.text());
    };
    const [three, five] = await Promise.all([call(3), call(5)]);
    for (const [received, steps] of [
      [three, 3],
      [five, 5],
    ] as const) {
      assert.match(text((received.find((m) => m.id === 1) as { result: unknown }).result), new RegExp(`Steps: ${steps}\\.`));
      const progress = received.filter((m) => m.method === 'notifications/progress').map((m) => m.params as { progressToken: unknown; total: number });
      assert.ok(progress.length >= steps - 1, `${progress.length} progress notifications for ${steps} steps`);
      for (const p of progress) assert.deepEqual([p.progressToken, p.total], ['same', steps]);
    }
  });
});
