// The pieces of a long-running HTTP proxy that need no I/O: the lifecycle keys of the config
// (defaults, env coercion, errors with their place), the bounded event store, and the reading
// of upstream response streams that tells which call a server→client request came with.
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { isStdioUpstream } from '../../src/config/schema.js';
import { EventBudget } from '../../src/downstream/eventStore.js';
import { StreamOrigins } from '../../src/upstream/transports/streamOrigins.js';

describe('lifecycle config keys', () => {
  let folder: string;
  beforeEach(() => (folder = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-lifecycle-'))));
  afterEach(() => rmSync(folder, { recursive: true, force: true }));
  const write = (lines: string[]) => {
    const file = path.join(folder, 'mcproxy.yaml');
    writeFileSync(file, lines.join('\n') + '\n');
    return file;
  };

  it('has defaults: 10 minutes idle, 1,000 events a session, 20,000 in all, retry 5 s, 32 requests and 4 streams a connection', () => {
    const config = loadConfig(write(['upstreams:', '  remote:', '    url: http://127.0.0.1:9/mcp']), {});
    assert.equal(config.server.sessionIdleMs, 600_000);
    assert.deepEqual(config.server.resumption, { maxEventsPerSession: 1_000, maxEvents: 20_000, retryMs: 5_000 });
    const remote = config.upstreams[0];
    assert.ok(!isStdioUpstream(remote));
    assert.equal(remote.maxRequests, 32);
    assert.equal(remote.maxStreams, 4);
  });

  it('takes every numeric key from the environment as a number', () => {
    const file = write([
      'server:',
      '  sessionIdleMs: ${IDLE}',
      '  resumption:',
      '    maxEventsPerSession: ${PER_SESSION}',
      '    maxEvents: ${TOTAL}',
      '    retryMs: ${RETRY}',
      'upstreams:',
      '  remote:',
      '    url: http://127.0.0.1:9/mcp',
      '    maxRequests: ${REQUESTS}',
      '    maxStreams: ${STREAMS}',
    ]);
    const config = loadConfig(file, { IDLE: '1000', PER_SESSION: '10', TOTAL: '20', RETRY: '300', REQUESTS: '8', STREAMS: '2' });
    assert.equal(config.server.sessionIdleMs, 1000);
    assert.deepEqual(config.server.resumption, { maxEventsPerSession: 10, maxEvents: 20, retryMs: 300 });
    const remote = config.upstreams[0];
    assert.ok(!isStdioUpstream(remote));
    assert.equal(remote.maxRequests, 8);
    assert.equal(remote.maxStreams, 2);
  });

  it('reports a bad value with its line and key path', () => {
    const file = write(['server:', '  sessionIdleMs: 0', 'upstreams:', '  remote:', '    url: http://127.0.0.1:9/mcp', '    maxStreams: many']);
    assert.throws(
      () => loadConfig(file, {}),
      (error: ConfigError) => {
        const found = error.problems.map((p) => `${p.line} ${p.path}: ${p.message}`);
        assert.ok(found.some((p) => /^2 server\.sessionIdleMs: expected a positive integer/.test(p)), found.join('\n'));
        assert.ok(found.some((p) => /^6 upstreams\.remote\.maxStreams: expected a positive integer/.test(p)), found.join('\n'));
        return true;
      },
    );
  });
});

const message = (n: number): JSONRPCMessage => ({ jsonrpc: '2.0', method: 'notifications/message', params: { n } });

async function replay(store: ReturnType<EventBudget['store']>, after: string): Promise<number[]> {
  const sent: number[] = [];
  await store.replayEventsAfter(after, { send: async (_id, m) => void sent.push((m as unknown as { params: { n: number } }).params.n) });
  return sent;
}

describe('the bounded event store', () => {
  it('replays the events of the resumed stream after the given id, not the priming event nor other streams', async () => {
    const store = new EventBudget(100).store(100);
    const priming = await store.storeEvent('call', {} as JSONRPCMessage);
    await store.storeEvent('call', message(1));
    await store.storeEvent('other', message(99));
    await store.storeEvent('call', message(2));
    assert.equal(await store.getStreamIdForEventId(priming), 'call');
    assert.deepEqual(await replay(store, priming), [1, 2]);
  });

  it('keeps at most maxEventsPerSession per session, dropping the oldest', async () => {
    const store = new EventBudget(100).store(3);
    const ids = [];
    for (let n = 1; n <= 5; n++) ids.push(await store.storeEvent('s', message(n)));
    assert.equal(store.size, 3);
    assert.equal(await store.getStreamIdForEventId(ids[1]), undefined, 'the second event was dropped');
    assert.deepEqual(await replay(store, ids[2]), [4, 5]);
    await assert.rejects(replay(store, ids[0]), /no longer/);
  });

  it('keeps at most maxEvents over all sessions, dropping the oldest anywhere, and forgets an ended session', async () => {
    const budget = new EventBudget(4);
    const [a, b] = [budget.store(10), budget.store(10)];
    const first = await a.storeEvent('s', message(1));
    await b.storeEvent('s', message(2));
    await a.storeEvent('s', message(3));
    await b.storeEvent('s', message(4));
    await b.storeEvent('s', message(5));
    assert.equal(budget.size, 4);
    assert.equal(await a.getStreamIdForEventId(first), undefined, 'the oldest event of all was dropped');
    assert.deepEqual([a.size, b.size], [1, 3]);
    b.dispose();
    assert.equal(budget.size, 1);
  });
});

describe('reading which call a server→client request came with', () => {
  const encode = (s: string) => new TextEncoder().encode(s);

  it('ties a request on a call’s stream to that call, across chunk boundaries, and only once', () => {
    const origins = new StreamOrigins();
    const watch = origins.watch(7);
    const event = 'id: e1\r\ndata: {"jsonrpc":"2.0","id":0,"method":"sampling/createMessage","params":{}}\r\n\r\n';
    for (const part of [event.slice(0, 9), event.slice(9, 40), event.slice(40, -1), event.slice(-1)]) watch(encode(part));
    assert.equal(origins.take(0), 7);
    assert.equal(origins.take(0), undefined);
  });

  it('knows a resumed stream by the last event id seen on the call’s stream, until the call is answered', () => {
    const origins = new StreamOrigins();
    const watch = origins.watch(3);
    watch(encode('id: a\ndata: \n\nid: b\ndata: {"jsonrpc":"2.0","method":"notifications/message","params":{}}\n\n'));
    assert.equal(origins.callResumedAt('a'), undefined, 'only the latest id is kept');
    assert.equal(origins.callResumedAt('b'), 3);
    watch(encode('id: c\ndata: {"jsonrpc":"2.0","id":3,"result":{}}\n\n'));
    assert.equal(origins.callResumedAt('c'), undefined);
  });

  it('ties nothing to the server’s own stream', () => {
    const origins = new StreamOrigins();
    origins.watch(undefined)(encode('data: {"jsonrpc":"2.0","id":1,"method":"roots/list"}\n\n'));
    assert.equal(origins.take(1), undefined);
  });
});
