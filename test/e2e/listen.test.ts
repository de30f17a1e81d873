// Subscriptions, list changes and log levels across the eras: a 2026-07-28 client's
// subscriptions/listen in front of 2025-11-25 upstreams (server-everything's resource updates,
// the changing-tools fixture's list changes and logs), a 2025-11-25 client's resources/subscribe
// onto a 2026-07-28 upstream (the modern fixture, one listen stream per connection), and log
// levels mapped both ways. Over HTTP and stdio.
import { LOG_LEVEL_META_KEY, SUBSCRIPTION_ID_META_KEY, type Client, type Notification } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import { connectHttp, connectStdio, startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';
import { text } from '../helpers/results.js';
import { changing, everything, fixture } from '../helpers/upstreams.js';
import { waitUntil } from '../helpers/wait.js';

/** Waits for what the proxy relays; generous, as the machine running the suite may be loaded. */
const eventually = (check: () => boolean, what: string) => waitUntil(check, what, 20_000);

const config = writeConfig({
  upstreams: {
    // Shared, so that the HTTP sessions here do not start processes of their own.
    everything: { ...everything, namespace: 'ev', shared: true },
    changing: { ...changing, namespace: 'chg', shared: true },
    modern: { ...fixture('modern-server', '--stdio', '--modern-only'), protocol: 'modern', namespace: 'm', shared: true },
  },
});

/** The modern fixture's resources as the proxy exposes them (no other upstream has test:// URIs). */
const WATCHED = 'test://watched-resource';
const STATIC = 'test://static-text';
/** A server-everything resource it sends updates of once subscribed (toggle-subscriber-updates). */
const EVERYTHING_URI = 'demo://resource/static/document/architecture.md';

/** Everything a client hears outside of results, in order. */
function heard(client: Client): Notification[] {
  const notifications: Notification[] = [];
  client.fallbackNotificationHandler = async (notification) => void notifications.push(notification);
  return notifications;
}

const updatesOf = (notifications: Notification[], uri: string) =>
  notifications.filter((n) => n.method === 'notifications/resources/updated' && (n.params as { uri?: string }).uri === uri);
const messages = (notifications: Notification[]) => notifications.filter((n) => n.method === 'notifications/message').map((n) => (n.params as { data?: unknown }).data);

let toolSerial = 0;

/** The tests a 2026-07-28 client's listen gets, over either transport. */
function modernListens(connect: () => Promise<Client>) {
  let client: Client;
  let got: Notification[];
  before(async () => {
    client = await connect();
    got = heard(client);
  });
  after(async () => client?.close());

  it('acknowledges the filter and hears a legacy upstream’s list change and resource update, each with its subscriptionId', async () => {
    const { resources } = await client.listResources();
    assert.ok(resources.some((resource) => resource.uri === EVERYTHING_URI), resources.map((r) => r.uri).join(', '));
    const subscription = await client.listen({ toolsListChanged: true, resourceSubscriptions: [EVERYTHING_URI] });
    try {
      assert.deepEqual(subscription.honoredFilter, { toolsListChanged: true, resourceSubscriptions: [EVERYTHING_URI] });
      await client.callTool({ name: 'chg__add-tool', arguments: { name: `listened-${++toolSerial}` } });
      await eventually(() => got.some((n) => n.method === 'notifications/tools/list_changed'), 'tools/list_changed on the listen stream');
      // server-everything sends an update at once for each URI this proxy subscribed to upstream.
      await client.callTool({ name: 'ev__toggle-subscriber-updates', arguments: {} });
      await eventually(() => updatesOf(got, EVERYTHING_URI).length > 0, 'resources/updated from server-everything');
      const stamped = got.filter((n) => n.method !== 'notifications/message');
      for (const notification of stamped) assert.ok((notification.params?._meta as Record<string, unknown>)?.[SUBSCRIPTION_ID_META_KEY] !== undefined, JSON.stringify(notification));
    } finally {
      await subscription.close();
      await client.callTool({ name: 'ev__toggle-subscriber-updates', arguments: {} });
    }
  });

  it('hears only what it asked for: a prompts change is not sent to a listen for tool changes', async () => {
    got.length = 0;
    const subscription = await client.listen({ promptsListChanged: true, resourceSubscriptions: [WATCHED] });
    try {
      await client.callTool({ name: 'm__test_trigger_tool_change', arguments: {} });
      await client.callTool({ name: 'm__test_trigger_resource_update', arguments: { uri: STATIC } });
      await client.callTool({ name: 'm__test_trigger_prompt_change', arguments: {} });
      await client.callTool({ name: 'm__test_trigger_resource_update', arguments: { uri: WATCHED } });
      await eventually(() => updatesOf(got, WATCHED).length > 0, 'resources/updated from the modern upstream');
      assert.ok(got.some((n) => n.method === 'notifications/prompts/list_changed'), JSON.stringify(got));
      assert.ok(!got.some((n) => n.method === 'notifications/tools/list_changed'), 'no tools/list_changed was asked for');
      assert.equal(updatesOf(got, STATIC).length, 0, 'no update of a URI not asked for');
    } finally {
      await subscription.close();
    }
  });

  it('hears a request’s logs at the level its _meta names, and none without one', async () => {
    got.length = 0;
    const log = (level: string, data: string, meta?: Record<string, unknown>) =>
      client.callTool({ name: 'chg__log', arguments: { level, data }, ...(meta && { _meta: meta }) });
    await log('info', 'at info', { [LOG_LEVEL_META_KEY]: 'info' });
    await log('info', 'below error', { [LOG_LEVEL_META_KEY]: 'error' });
    await log('error', 'unasked');
    await eventually(() => messages(got).length > 0, 'the logged message');
    assert.deepEqual(messages(got), ['at info']);
    got.length = 0;
    // The same through to a 2026-07-28 upstream: the level travels in the upstream request's _meta.
    await client.callTool({ name: 'm__test_logging_tool', arguments: {}, _meta: { [LOG_LEVEL_META_KEY]: 'debug' } });
    await client.callTool({ name: 'm__test_logging_tool', arguments: {} });
    assert.deepEqual(messages(got), ['test_logging_tool ran']);
  });
}

/** The tests a 2025-11-25 client's subscriptions get in front of the 2026-07-28 upstream. */
function legacySubscribes(connect: () => Promise<Client>) {
  let client: Client;
  let got: Notification[];
  before(async () => {
    client = await connect();
    got = heard(client);
    await client.listTools();
  });
  after(async () => client?.close());

  it('subscribes to a 2026-07-28 upstream’s resource (its listen stream) and hears its updates and list changes', async () => {
    await client.subscribeResource({ uri: WATCHED });
    await client.callTool({ name: 'm__test_trigger_resource_update', arguments: { uri: WATCHED } });
    await eventually(() => updatesOf(got, WATCHED).length === 1, 'resources/updated from the modern upstream');
    // The upstream's subscriptionId (of mcproxy's own listen there) is not the client's business.
    assert.deepEqual(updatesOf(got, WATCHED)[0].params, { uri: WATCHED });
    await client.callTool({ name: 'm__test_trigger_tool_change', arguments: {} });
    await eventually(() => got.some((n) => n.method === 'notifications/tools/list_changed'), 'tools/list_changed from the modern upstream');
    await client.unsubscribeResource({ uri: WATCHED });
    await client.callTool({ name: 'm__test_trigger_resource_update', arguments: { uri: WATCHED } });
    await client.callTool({ name: 'm__test_trigger_tool_change', arguments: {} });
    await eventually(() => got.filter((n) => n.method === 'notifications/tools/list_changed').length >= 2, 'the second tools/list_changed');
    assert.equal(updatesOf(got, WATCHED).length, 1, 'no update after unsubscribe');
  });

  it('its logging/setLevel reaches a 2026-07-28 upstream as the level in each request’s _meta', async () => {
    got.length = 0;
    await client.setLoggingLevel('info');
    await client.callTool({ name: 'm__test_logging_tool', arguments: {} });
    await eventually(() => messages(got).length === 1, 'the modern upstream’s log');
    await client.setLoggingLevel('error');
    await client.callTool({ name: 'm__test_logging_tool', arguments: {} });
    assert.deepEqual(messages(got), ['test_logging_tool ran']);
  });
}

describe('subscriptions and log levels across the eras, over HTTP', function () {
  this.timeout(60_000);
  let proxy: HttpProxy;
  const clients: Client[] = [];
  const connect = async (era: 'legacy' | 'modern') => {
    const { client } = await connectHttp(proxy.url, { era, name: `listen-${era}-${clients.length}` });
    clients.push(client);
    return client;
  };
  before(async () => {
    proxy = await startHttpProxy(config);
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => {})));
    await proxy?.stop();
  });

  describe('a 2026-07-28 client', () => modernListens(() => connect('modern')));
  describe('a 2025-11-25 client', () => legacySubscribes(() => connect('legacy')));
  describe('sessions side by side, bad input, shutdown', sideBySide);

  function sideBySide() {
  it('two sessions on one shared 2026-07-28 upstream each hear only the resource they asked for', async () => {
    const [watcher, other] = [await connect('legacy'), await connect('modern')];
    const [watcherGot, otherGot] = [heard(watcher), heard(other)];
    await watcher.subscribeResource({ uri: WATCHED });
    const subscription = await other.listen({ resourceSubscriptions: [STATIC] });
    try {
      await other.callTool({ name: 'm__test_trigger_resource_update', arguments: { uri: STATIC } });
      await other.callTool({ name: 'm__test_trigger_resource_update', arguments: { uri: WATCHED } });
      await eventually(() => updatesOf(otherGot, STATIC).length === 1 && updatesOf(watcherGot, WATCHED).length === 1, 'each its own update');
      // The upstream sends in order on one stream: had the watcher been sent STATIC, it would have it by now.
      assert.equal(updatesOf(watcherGot, STATIC).length, 0);
      assert.equal(updatesOf(otherGot, WATCHED).length, 0);
    } finally {
      await subscription.close();
      await watcher.unsubscribeResource({ uri: WATCHED });
    }
  });

  it('holds a listen’s resource subscription at server-everything while it is open, and lets go when the client closes it', async () => {
    // server-everything logs each subscribe and unsubscribe; a 2025-11-25 session on the shared connection hears its logs.
    const observer = await connect('legacy');
    const observed = heard(observer);
    await observer.setLoggingLevel('debug');
    const saw = (what: RegExp) => messages(observed).some((data) => what.test(String(data)) && String(data).includes(EVERYTHING_URI));
    const client = await connect('modern');
    const subscription = await client.listen({ resourceSubscriptions: [EVERYTHING_URI] });
    await eventually(() => saw(/Received Subscribe Resource request/), 'server-everything to log the subscribe');
    assert.ok(!saw(/Unsubscribe/), 'not let go while the listen is open');
    await subscription.close();
    await eventually(() => saw(/Received Unsubscribe Resource request/), 'server-everything to log the unsubscribe');
  });

  it('refuses a malformed listen filter with -32602 and goes on serving', async () => {
    const response = await fetch(proxy.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'subscriptions/listen' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'subscriptions/listen',
        params: {
          notifications: { resourceSubscriptions: 'test://not-a-list' },
          _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} },
        },
      }),
    });
    const body = await response.text();
    assert.match(body, /-32602/);
    assert.match(body, /SubscriptionFilter/);
    const client = await connect('modern');
    assert.match(text(await client.callTool({ name: 'ev__echo', arguments: { message: 'still here' } })), /still here/);
  });

  it('ends an open listen with the graceful complete when the proxy shuts down', async () => {
    const client = await connect('modern');
    const subscription = await client.listen({ toolsListChanged: true });
    await proxy.stop();
    assert.equal(await subscription.closed, 'graceful');
  });
  }
});

describe('subscriptions and log levels across the eras, over stdio', function () {
  this.timeout(60_000);
  describe('a 2026-07-28 client', () => modernListens(async () => (await connectStdio(config, { era: 'modern' })).client));
  describe('a 2025-11-25 client', () => legacySubscribes(async () => (await connectStdio(config)).client));
});

describe('subscriptions across a two-proxy chain (the inner proxy a 2026-07-28 upstream of the outer)', function () {
  this.timeout(60_000);
  let inner: HttpProxy;
  let outer: HttpProxy;
  before(async () => {
    inner = await startHttpProxy(config);
    outer = await startHttpProxy(writeConfig({ upstreams: { inner: { url: inner.url, protocol: 'modern', namespace: 'in', shared: true } } }));
  });
  after(async () => {
    await outer?.stop();
    await inner?.stop();
  });

  it('a 2025-11-25 client’s subscription and a 2026-07-28 client’s listen both reach server-everything behind the inner proxy', async () => {
    const legacy = (await connectHttp(outer.url, { name: 'chain-legacy' })).client;
    const modern = (await connectHttp(outer.url, { era: 'modern', name: 'chain-modern' })).client;
    const [legacyGot, modernGot] = [heard(legacy), heard(modern)];
    try {
      await legacy.subscribeResource({ uri: EVERYTHING_URI });
      const subscription = await modern.listen({ toolsListChanged: true, resourceSubscriptions: [EVERYTHING_URI] });
      await modern.callTool({ name: 'in__chg__add-tool', arguments: { name: `chained-${++toolSerial}` } });
      await eventually(() => modernGot.some((n) => n.method === 'notifications/tools/list_changed'), 'tools/list_changed through both proxies');
      await legacy.callTool({ name: 'in__ev__toggle-subscriber-updates', arguments: {} });
      await eventually(() => updatesOf(legacyGot, EVERYTHING_URI).length > 0 && updatesOf(modernGot, EVERYTHING_URI).length > 0, 'resources/updated through both proxies');
      await subscription.close();
    } finally {
      await legacy.callTool({ name: 'in__ev__toggle-subscriber-updates', arguments: {} }).catch(() => {});
      await Promise.all([legacy.close(), modern.close()]);
    }
  });
});

