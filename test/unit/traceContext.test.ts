import assert from 'node:assert/strict';
import { incomingTrace, isValidTraceparent, traceHeadersOf, withTraceMeta } from '../../src/telemetry/traceContext.js';
import { otlpTracesUrl, spanName } from '../../src/telemetry/tracing.js';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const OTHER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';

describe('W3C trace context', () => {
  it('accepts traceparents per the spec and refuses the rest', () => {
    assert.ok(isValidTraceparent(VALID));
    assert.ok(isValidTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future'), 'a later version may add fields');
    for (const bad of ['', 'garbage', `${VALID}-extra`, 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01']) {
      assert.ok(!isValidTraceparent(bad), bad);
    }
  });

  it('takes _meta over headers, falls back past a malformed one, and says so', () => {
    const said: string[] = [];
    const malformed = (where: string, value: string) => said.push(`${where}: ${value}`);
    assert.deepEqual(incomingTrace({ _meta: { traceparent: OTHER } }, { traceparent: VALID, baggage: 'a=1' }, malformed), { traceparent: OTHER, baggage: 'a=1' });
    assert.deepEqual(incomingTrace({ _meta: { traceparent: 'nope' } }, { traceparent: VALID, tracestate: 'v=1' }, malformed), { traceparent: VALID, tracestate: 'v=1' });
    assert.deepEqual(said, ['_meta: nope']);
    assert.equal(incomingTrace({}, undefined, malformed), undefined);
    assert.deepEqual(incomingTrace({}, { traceparent: [VALID] }, malformed), { traceparent: VALID });
  });

  it('puts the context into _meta, keeping what else is there', () => {
    assert.deepEqual(withTraceMeta({ name: 't', _meta: { progressToken: 1, traceparent: OTHER, baggage: 'old=1' } }, { traceparent: VALID }), {
      name: 't',
      _meta: { progressToken: 1, traceparent: VALID },
    });
  });

  it('reads the headers for a remote upstream from the request body', () => {
    assert.deepEqual(traceHeadersOf(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { _meta: { traceparent: VALID, tracestate: 'v=1' } } })), { traceparent: VALID, tracestate: 'v=1' });
    assert.equal(traceHeadersOf(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: {} })), undefined);
    assert.equal(traceHeadersOf('{"traceparent": broken'), undefined);
  });

  it('names spans as the MCP conventions say, and finds the OTLP endpoint in config or environment', () => {
    assert.equal(spanName('tools/call', { name: 'ev__echo' }), 'tools/call ev__echo');
    assert.equal(spanName('resources/read', { uri: 'file:///x' }), 'resources/read');
    assert.equal(otlpTracesUrl({ telemetry: { otlp: { endpoint: 'http://c:4318/', headers: {} } } }, {}), 'http://c:4318/v1/traces');
    assert.equal(otlpTracesUrl({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://e:4318' }), 'http://e:4318/v1/traces');
    assert.equal(otlpTracesUrl({}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t/traces' }), 'http://t/traces');
    assert.equal(otlpTracesUrl({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://e:4318', OTEL_SDK_DISABLED: 'true' }), undefined);
    assert.equal(otlpTracesUrl({}, {}), undefined);
  });
});
