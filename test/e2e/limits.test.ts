// Limits on the HTTP listener: each refusal is a clear status, and the proxy keeps serving.
import assert from 'node:assert/strict';
import { INITIALIZE, postJsonRpc } from '../helpers/jsonrpc.js';
import { connectHttp, startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';
import { assertRetryAfter, burst } from '../helpers/rateLimit.js';
import { changing } from '../helpers/upstreams.js';


/**
 * Initializes a session, waiting while the proxy is at maxSessions: an ended session's slot frees
 * up only once its upstream children have closed, a little after its DELETE was answered.
 */
async function initializeWhenFree(url: string): Promise<Response> {
  let response: Response | undefined;
  for (let attempt = 0; attempt < 100 && response?.status !== 200; attempt++) {
    if (response) await new Promise((resolve) => setTimeout(resolve, 100));
    response = await postJsonRpc(url, INITIALIZE);
    await response.text();
  }
  assert.equal(response!.status, 200);
  return response!;
}

/** Opens a raw session: its id, with the initialized notification sent. */
async function openSession(url: string): Promise<Record<string, string>> {
  const init = await initializeWhenFree(url);
  const headers = { 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-06-18' };
  await (await postJsonRpc(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers)).text();
  return headers;
}

const errorOf = async (response: Response) => ((await response.json()) as { error: { code: number; message: string } }).error;

describe('HTTP limits: body size, nesting, sessions', function () {
  let proxy: HttpProxy;
  before(async () => {
    const file = writeConfig({
      server: { limits: { maxBodyBytes: 4096, maxDepth: 10, maxSessions: 2 } },
      upstreams: { chg: changing },
    });
    proxy = await startHttpProxy(file);
  });
  after(() => proxy?.stop());

  it('answers a body over maxBodyBytes with 413, and serves the next request', async () => {
    const big = { ...INITIALIZE, params: { ...INITIALIZE.params, padding: 'x'.repeat(5000) } };
    const response = await postJsonRpc(proxy.url, big);
    assert.equal(response.status, 413);
    assert.equal((await errorOf(response)).message, 'Request body larger than 4096 bytes');
    const { client, transport } = await connectHttp(proxy.url);
    assert.ok((await client.listTools()).tools.length > 0);
    await transport.terminateSession();
    await client.close();
  });

  it('refuses JSON nested deeper than maxDepth with a JSON-RPC error, but accepts maxDepth itself', async () => {
    const session = await openSession(proxy.url);
    const nested = (depth: number) => {
      let value: unknown = 'core';
      for (let i = 0; i < depth; i++) value = [value];
      return value;
    };
    // The message, params and arguments are three levels: nine arrays in them make twelve.
    const deep = await postJsonRpc(proxy.url, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'chg__x', arguments: { a: nested(9) } } }, session);
    assert.equal(deep.status, 400);
    assert.deepEqual(await errorOf(deep), { code: -32600, message: 'Invalid Request: JSON nested deeper than 10 levels' });
    // message, params, _meta and seven arrays: exactly ten.
    const ok = await postJsonRpc(proxy.url, { jsonrpc: '2.0', id: 3, method: 'ping', params: { _meta: { a: nested(7) } } }, session);
    assert.equal(ok.status, 200);
    await ok.text();
    await fetch(proxy.url, { method: 'DELETE', headers: session });
  });

  it('refuses a session past maxSessions with 503 and Retry-After, and admits one after another ends', async () => {
    const first = await openSession(proxy.url);
    const second = await openSession(proxy.url);
    const third = await postJsonRpc(proxy.url, INITIALIZE);
    assert.equal(third.status, 503);
    assert.equal(third.headers.get('retry-after'), '5');
    assert.match((await errorOf(third)).message, /2 sessions open/);
    // The open sessions still work.
    const ping = await postJsonRpc(proxy.url, { jsonrpc: '2.0', id: 9, method: 'ping' }, first);
    assert.equal(ping.status, 200);
    await ping.text();
    await fetch(proxy.url, { method: 'DELETE', headers: first });
    const again = await initializeWhenFree(proxy.url);
    await fetch(proxy.url, { method: 'DELETE', headers: second });
    await fetch(proxy.url, { method: 'DELETE', headers: { 'mcp-session-id': again.headers.get('mcp-session-id')! } });
  });

});

describe('HTTP limits: requests in flight', function () {
  let proxy: HttpProxy;
  before(async () => {
    proxy = await startHttpProxy(writeConfig({ server: { limits: { maxInFlightPerSession: 1 } }, upstreams: { chg: changing } }));
  });
  after(() => proxy?.stop());

  it('refuses a second request in flight in one session (maxInFlightPerSession: 1) with 503', async () => {
    const session = await openSession(proxy.url);
    const slow = await postJsonRpc(proxy.url, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'chg__sleep', arguments: { ms: 60000 } } }, session);
    assert.equal(slow.status, 200); // headers are out; the call is in flight
    const second = await postJsonRpc(proxy.url, { jsonrpc: '2.0', id: 3, method: 'ping' }, session);
    assert.equal(second.status, 503);
    assert.match((await errorOf(second)).message, /1 requests in flight in this session/);
    // Another session is not affected.
    const other = await openSession(proxy.url);
    const ping = await postJsonRpc(proxy.url, { jsonrpc: '2.0', id: 4, method: 'ping' }, other);
    assert.equal(ping.status, 200);
    await ping.text();
    await slow.body?.cancel();
    await fetch(proxy.url, { method: 'DELETE', headers: session });
    await fetch(proxy.url, { method: 'DELETE', headers: other });
  });
});

describe('HTTP limits: rate limit per client', function () {
  let proxy: HttpProxy;
  before(async () => {
    const file = writeConfig({ server: { limits: { rateLimit: { perSecond: 0.01, burst: 3 } } }, upstreams: { chg: changing } });
    proxy = await startHttpProxy(file);
  });
  after(() => proxy?.stop());

  it('lets a burst through, then answers 429 with Retry-After', async () => {
    const { statuses, last, began } = await burst(4, () => postJsonRpc(proxy.url, { jsonrpc: '2.0', id: 1, method: 'ping' }));
    // The first three pass the limiter (and are refused for lacking a session); the fourth does not.
    assert.deepEqual(statuses, [400, 400, 400, 429]);
    assertRetryAfter(last, began, 100);
    assert.match((await errorOf(last)).message, /Too many requests: at most 0\.01 per second/);
  });
});
