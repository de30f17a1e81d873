// Tracing end to end: a client → outer proxy (exporting spans over OTLP/HTTP to a local
// receiver) → inner proxy (exporting nothing) → the trace-echo fixture over Streamable HTTP,
// which answers the trace context it received in `_meta` and in HTTP headers.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlpReceiver.js';
import { connectStdio, startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';
import { text } from '../helpers/results.js';
import { startHttpFixture } from '../helpers/upstreams.js';
import { waitUntil } from '../helpers/wait.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';
const META_TRACE = '0af7651916cd43dd8448eb211c80319c';
const META_SPAN = 'b7ad6b7169203331';

interface Seen {
  meta: Record<string, string>;
  headers: Record<string, string>;
}

/** A client on `url` that sends `headers` with every HTTP request. */
async function clientWith(url: string, headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: 'trace-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

const traceIdOf = (traceparent: string) => traceparent.split('-')[1];
const parentIdOf = (traceparent: string) => traceparent.split('-')[2];

describe('tracing across two proxies', function () {
  this.timeout(60_000);
  let fixture: { url: string; child: ChildProcess };
  let receiver: OtlpReceiver;
  let inner: HttpProxy;
  let outer: HttpProxy;

  before(async () => {
    fixture = await startHttpFixture('trace-echo-server');
    receiver = await startOtlpReceiver();
    inner = await startHttpProxy(writeConfig({ server: { name: 'inner' }, upstreams: { echo: { url: fixture.url } } }));
    outer = await startHttpProxy(
      writeConfig({ server: { name: 'outer' }, upstreams: { inner: { url: inner.url } }, telemetry: { otlp: { endpoint: receiver.url } } }),
      [],
      { OTEL_BSP_SCHEDULE_DELAY: '100' },
    );
  });
  after(async () => {
    await outer?.stop();
    await inner?.stop();
    fixture?.child.kill('SIGTERM');
    await receiver?.close();
  });

  async function call(client: Client, meta?: Record<string, string>): Promise<Seen> {
    const result = await client.callTool({ name: 'inner__echo__trace', arguments: {}, ...(meta && { _meta: meta }) });
    return JSON.parse(text(result)) as Seen;
  }

  it('a traceparent header reaches the upstream through both proxies, in _meta and in headers, under the outer proxy\'s spans', async () => {
    const client = await clientWith(outer.url, { traceparent: `00-${TRACE}-${CLIENT_SPAN}-01`, tracestate: 'vendor=opaque', baggage: 'user=alice' });
    try {
      const seen = await call(client);
      assert.equal(traceIdOf(seen.meta.traceparent), TRACE);
      assert.equal(seen.headers.traceparent, seen.meta.traceparent, 'the same context in the HTTP header');
      assert.equal(seen.meta.tracestate, 'vendor=opaque');
      assert.equal(seen.meta.baggage, 'user=alice');
      assert.equal(seen.headers.baggage, 'user=alice');

      await waitUntil(() => receiver.spans.filter((s) => s.traceId === TRACE && s.name === 'tools/call inner__echo__trace').length > 0, 'the outer proxy\'s spans at the OTLP receiver', 15_000);
      await waitUntil(() => receiver.spans.some((s) => s.traceId === TRACE && s.kind === 3 && s.name === 'tools/call echo__trace'), 'the upstream span', 15_000);
      assert.ok(receiver.contentTypes.every((type) => type.startsWith('application/json')));
      const server = receiver.spans.find((s) => s.traceId === TRACE && s.name === 'tools/call inner__echo__trace')!;
      assert.equal(server.service, 'outer');
      assert.equal(server.kind, 2, 'SERVER');
      assert.equal(server.parentSpanId, CLIENT_SPAN, 'the client\'s span is its parent');
      assert.equal(server.attributes['mcp.method.name'], 'tools/call');
      assert.equal(server.attributes['gen_ai.tool.name'], 'inner__echo__trace');
      assert.equal(server.attributes['gen_ai.operation.name'], 'execute_tool');
      assert.equal(server.attributes['network.transport'], 'tcp');
      assert.match(String(server.attributes['mcp.session.id']), /^[0-9a-f-]{36}$/);
      assert.match(String(server.attributes['mcp.protocol.version']), /^\d{4}-\d{2}-\d{2}$/);
      const upstream = receiver.spans.find((s) => s.traceId === TRACE && s.kind === 3 && s.name === 'tools/call echo__trace')!;
      assert.equal(upstream.parentSpanId, server.spanId);
      assert.equal(upstream.attributes['mcproxy.upstream.name'], 'inner');
      assert.equal(upstream.attributes['gen_ai.tool.name'], 'echo__trace', 'the name the upstream knows');
      // The inner proxy records no spans: the fixture's parent is the outer proxy's upstream span.
      assert.equal(parentIdOf(seen.meta.traceparent), upstream.spanId);
    } finally {
      await client.close();
    }
  });

  it('`_meta` wins over the HTTP header, and a malformed traceparent is ignored with a log line', async () => {
    const client = await clientWith(outer.url, { traceparent: `00-${TRACE}-${CLIENT_SPAN}-01` });
    try {
      const seen = await call(client, { traceparent: `00-${META_TRACE}-${META_SPAN}-01`, baggage: 'from=meta' });
      assert.equal(traceIdOf(seen.meta.traceparent), META_TRACE);
      assert.equal(traceIdOf(seen.headers.traceparent), META_TRACE);
      assert.equal(seen.meta.baggage, 'from=meta');

      const fallback = await call(client, { traceparent: 'not-a-trace-parent' });
      assert.equal(traceIdOf(fallback.meta.traceparent), TRACE, 'the valid header is used instead');
      await waitUntil(() => /ignored a malformed traceparent in the _meta of tools\/call: "not-a-trace-parent"/.test(outer.stderr()), 'the log line');
    } finally {
      await client.close();
    }
  });

  it('a 2026-07-28 client over stdio: the trace context and protocol version come from the request\'s `_meta`', async () => {
    const config = writeConfig({ server: { name: 'modern' }, upstreams: { echo: { url: fixture.url } }, telemetry: { otlp: { endpoint: receiver.url } } });
    const { client } = await connectStdio(config, { era: 'modern', env: { OTEL_BSP_SCHEDULE_DELAY: '100' } });
    try {
      const seen = JSON.parse(text(await client.callTool({ name: 'echo__trace', arguments: {}, _meta: { traceparent: `00-${META_TRACE}-${META_SPAN}-01` } }))) as Seen;
      assert.equal(traceIdOf(seen.meta.traceparent), META_TRACE);
      assert.equal(seen.headers.traceparent, seen.meta.traceparent, 'and in the upstream POST\'s headers');
      await waitUntil(() => receiver.spans.some((s) => s.traceId === META_TRACE && s.service === 'modern' && s.kind === 2), 'the stdio proxy\'s server span', 15_000);
      const server = receiver.spans.find((s) => s.traceId === META_TRACE && s.service === 'modern' && s.kind === 2)!;
      assert.equal(server.parentSpanId, META_SPAN);
      assert.equal(server.attributes['mcp.protocol.version'], '2026-07-28');
      assert.equal(server.attributes['network.transport'], 'pipe');
    } finally {
      await client.close();
    }
  });

  it('passes the context on unchanged when no proxy records spans', async () => {
    const client = await clientWith(inner.url, { traceparent: `00-${TRACE}-${CLIENT_SPAN}-01`, tracestate: 'vendor=opaque' });
    try {
      const seen = JSON.parse(text(await client.callTool({ name: 'echo__trace', arguments: {} }))) as Seen;
      assert.equal(seen.meta.traceparent, `00-${TRACE}-${CLIENT_SPAN}-01`);
      assert.equal(seen.headers.traceparent, `00-${TRACE}-${CLIENT_SPAN}-01`);
      assert.equal(seen.headers.tracestate, 'vendor=opaque');
      const bad = await clientWith(inner.url, { traceparent: '00-00000000000000000000000000000000-0000000000000000-01' });
      try {
        const none = JSON.parse(text(await bad.callTool({ name: 'echo__trace', arguments: {} }))) as Seen;
        assert.deepEqual(none, { meta: {}, headers: {} }, 'an all-zero trace id is invalid: nothing is passed on');
      } finally {
        await bad.close();
      }
    } finally {
      await client.close();
    }
  });
});
