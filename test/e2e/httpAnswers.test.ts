// How a Streamable HTTP session's POST is answered (downstream/sessionTransport.ts): one JSON
// body when the answer is all there is and comes at once; the SDK transport's resumable SSE
// stream when progress comes first; a JSON-RPC error, not a hang, when the session ends under
// a call; and a client that hangs up before its answer leaves the session working. The real
// proxy process with server-everything over stdio, raw HTTP on 127.0.0.1.
import assert from 'node:assert/strict';
import { HOLD_MS } from '../../src/downstream/sessionTransport.js';
import { POST_HEADERS, postJsonRpc, rawSession, sessionHeaders, sseEvents } from '../helpers/jsonrpc.js';
import { startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';
import { everything } from '../helpers/upstreams.js';
import { sleep } from '../helpers/wait.js';

const call = (id: number, name: string, args: Record<string, unknown>, meta?: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args, ...(meta && { _meta: meta }) },
});

describe('answers to a Streamable HTTP session’s POSTs', function () {
  this.timeout(60_000);
  let proxy: HttpProxy;
  before(async () => {
    proxy = await startHttpProxy(writeConfig({ upstreams: { ev: everything } }));
  });
  after(async () => proxy?.stop());

  /** A raw session whose upstream has started (its first list waits for that, longer than HOLD_MS). */
  async function startedSession(): Promise<string> {
    const sessionId = await rawSession(proxy.url);
    await (await postJsonRpc(proxy.url, { jsonrpc: '2.0', id: 'first', method: 'tools/list' }, sessionHeaders(sessionId))).text();
    return sessionId;
  }

  it('a call answered at once comes back as one JSON body with the session id, and so does a list', async () => {
    const sessionId = await startedSession();
    const echoed = await postJsonRpc(proxy.url, call(5, 'ev__echo', { message: 'plain' }), sessionHeaders(sessionId));
    assert.equal(echoed.status, 200);
    assert.equal(echoed.headers.get('content-type'), 'application/json');
    assert.equal(echoed.headers.get('mcp-session-id'), sessionId);
    assert.deepEqual(await echoed.json(), { jsonrpc: '2.0', id: 5, result: { content: [{ type: 'text', text: 'Echo: plain' }] } });

    const listed = await postJsonRpc(proxy.url, { jsonrpc: '2.0', id: 'list', method: 'tools/list' }, sessionHeaders(sessionId));
    assert.equal(listed.headers.get('content-type'), 'application/json');
    const { id, result } = (await listed.json()) as { id: string; result: { tools: Array<{ name: string }> } };
    assert.equal(id, 'list');
    assert.ok(result.tools.some((tool) => tool.name === 'ev__echo'));
  });

  it('progress before the result turns the answer into an SSE stream: a priming event, the progress, the result, each with an id', async () => {
    const sessionId = await startedSession();
    const response = await postJsonRpc(proxy.url, call(6, 'ev__trigger-long-running-operation', { duration: 0.2, steps: 2 }, { progressToken: 'p' }), sessionHeaders(sessionId));
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    const events = sseEvents(await response.text());
    assert.equal(events[0].data, '', 'the priming event comes first');
    for (const event of events) assert.ok(event.id, 'every event carries an id, for resumption');
    const messages = events.slice(1).map((event) => JSON.parse(event.data) as { method?: string; id?: number; params?: { progress: number } });
    assert.deepEqual(
      messages.map((m) => m.method ?? `answer ${m.id}`),
      ['notifications/progress', 'notifications/progress', 'answer 6'],
    );
    assert.deepEqual(messages.slice(0, 2).map((m) => m.params!.progress), [1, 2]);
  });

  it(`an answer slower than ${HOLD_MS} ms comes on an SSE stream that opened with its priming event`, async () => {
    const sessionId = await startedSession();
    const response = await postJsonRpc(proxy.url, call(7, 'ev__trigger-long-running-operation', { duration: (3 * HOLD_MS) / 1000, steps: 1 }), sessionHeaders(sessionId));
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    const events = sseEvents(await response.text());
    assert.equal(events[0].data, '');
    assert.equal((JSON.parse(events.at(-1)!.data) as { id: number }).id, 7);
  });

  it('the session’s end answers a call still held with a JSON-RPC error, not a hang', async () => {
    const sessionId = await startedSession();
    const pending = postJsonRpc(proxy.url, call(8, 'ev__trigger-long-running-operation', { duration: (0.9 * HOLD_MS) / 1000, steps: 1 }), sessionHeaders(sessionId));
    await sleep(0.4 * HOLD_MS); // the call has reached the proxy, which holds it for its answer
    const deleted = await fetch(proxy.url, { method: 'DELETE', headers: sessionHeaders(sessionId) });
    assert.equal(deleted.status, 200);
    const answer = await pending;
    assert.equal(answer.headers.get('content-type'), 'application/json');
    const { id, error } = (await answer.json()) as { id: number; error: { code: number; message: string } };
    assert.equal(id, 8);
    assert.match(error.message, /session ended/);
  });

  it('a client that hangs up before its answer leaves the session answering its next call', async () => {
    const sessionId = await startedSession();
    const hangUp = new AbortController();
    const abandoned = fetch(proxy.url, {
      method: 'POST',
      headers: { ...POST_HEADERS, ...sessionHeaders(sessionId) },
      body: JSON.stringify(call(9, 'ev__trigger-long-running-operation', { duration: HOLD_MS / 2000, steps: 1 })),
      signal: hangUp.signal,
    });
    await sleep(HOLD_MS / 10);
    hangUp.abort();
    await assert.rejects(abandoned);
    await sleep(HOLD_MS); // its answer came, for no one
    const next = await postJsonRpc(proxy.url, call(10, 'ev__echo', { message: 'still here' }), sessionHeaders(sessionId));
    assert.deepEqual(((await next.json()) as { result: unknown }).result, { content: [{ type: 'text', text: 'Echo: still here' }] });
  });
});
