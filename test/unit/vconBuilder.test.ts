// The vCon builder and capture rules on plain journal entries: no I/O, no clock.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { VconBuilder } from '../../src/vcon/builder.js';
import { contentHash, MessageCapture, NOT_CAPTURED_PROMPT, NOT_CAPTURED_RESOURCE, REDACTED, type CrossedMessage } from '../../src/vcon/capture.js';
import type { JournalEntry, MessageEntry, StartEntry, Vcon } from '../../src/vcon/types.js';
import { uuidV8 } from '../../src/vcon/uuid.js';
import { vconProblems } from '../../src/vcon/validate.js';
import { SHARED } from '../helpers/paths.js';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const start = (extra: Partial<StartEntry> = {}): StartEntry => ({
  t: 'start',
  uuid: uuidV8(T0),
  at: T0,
  serverName: 'mcproxy',
  upstreams: ['everything', 'memory'],
  tags: { environment: 'test' },
  addAnalysis: true,
  maxInlineContentSize: 100_000,
  ...extra,
});

const captureAll = () => new MessageCapture({ captureResources: true, capturePrompts: true, redact: [] });
/** The JSON text the vCon will hold for an entry. */
const textOf = (entry: MessageEntry) => entry.body ?? JSON.stringify(entry.message);

/** A session's messages through capture, as the recorder journals them. */
function journal(capture: MessageCapture, items: (CrossedMessage | JournalEntry)[]): JournalEntry[] {
  return items.map((item) => ('t' in item ? item : capture.entry(item)));
}

let clock = T0;
const msg = (dir: 'in' | 'out', message: object, extra: Partial<CrossedMessage> = {}): CrossedMessage => ({
  at: (clock += 5),
  dir,
  message: { jsonrpc: '2.0', ...message } as CrossedMessage['message'],
  ...extra,
});

describe('vCon builder', () => {
  const builder = new VconBuilder();

  function aggregatedSession(): Vcon {
    const entries = journal(captureAll(), [
      start(),
      msg('in', { id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'claude', version: '1.2' } } }),
      { t: 'client', info: { name: 'claude', version: '1.2' }, protocolVersion: '2025-11-25' },
      msg('out', { id: 0, result: { protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 'mcproxy', version: '0.1.0' } } }),
      msg('in', { id: 1, method: 'tools/list' }),
      msg('out', { id: 1, result: { tools: [{ name: 'mem__read_graph' }, { name: 'ev__echo' }] } }),
      // a call routed to memory: memory becomes party 1, in order of appearance
      msg('in', { id: 2, method: 'tools/call', params: { name: 'mem__read_graph', arguments: {} } }),
      { t: 'party', key: 'memory', info: { name: 'memory-server', version: '0.6.3' } },
      { t: 'route', id: 2, upstream: 'memory', original: 'read_graph' },
      { t: 'route', id: 2, upstream: 'memory', upstreamId: 7 },
      msg('out', { id: 2, result: { content: [{ type: 'text', text: '{}' }] } }),
      // a call to everything during which it asks the client for sampling and reports progress
      msg('in', { id: 3, method: 'tools/call', params: { name: 'ev__sample', arguments: {}, _meta: { progressToken: 'p' } } }),
      { t: 'route', id: 3, upstream: 'everything', original: 'sample' },
      msg('out', { method: 'notifications/progress', params: { progressToken: 'p', progress: 1 } }, { related: 3 }),
      msg('out', { id: 1, method: 'sampling/createMessage', params: { messages: [] } }, { origin: 'everything', related: 3 }),
      msg('in', { id: 1, result: { role: 'assistant', content: { type: 'text', text: 'ok' }, model: 'm' } }),
      msg('out', { id: 3, error: { code: -32603, message: 'boom' } }),
      // a log message from everything outside any call, and the proxy's own list_changed
      msg('out', { method: 'notifications/message', params: { level: 'info', data: 'x', logger: 'everything' } }, { origin: 'everything' }),
      msg('out', { method: 'notifications/tools/list_changed' }),
      { t: 'session', mcpSessionId: 'abc-123' },
      { t: 'end', at: (clock += 5) },
    ]);
    return builder.build(entries)!;
  }

  it('makes party 0 the client and one party per upstream that took part, with serverInfo', () => {
    const vcon = aggregatedSession();
    assert.deepEqual(vcon.parties.map((p) => p.name), ['claude', 'memory', 'everything']);
    assert.deepEqual(vcon.parties[0].meta, { mcp_role: 'client', client_info: { name: 'claude', version: '1.2' }, protocol_version: '2025-11-25' });
    assert.deepEqual((vcon.parties[1].meta as { server_info: unknown }).server_info, { name: 'memory-server', version: '0.6.3' });
    assert.ok(vcon.parties.every((p) => p.type === 'bot'));
  });

  it('writes one dialog per message with its parties, originator and meta', () => {
    const vcon = aggregatedSession();
    const rows = vcon.dialog!.map((d) => [d.parties, d.originator, d.meta!.mcp_type, d.meta!.mcp_method ?? null]);
    assert.deepEqual(rows, [
      [[0], 0, 'request', 'initialize'],
      [[0], 0, 'response', 'initialize'],
      [[0], 0, 'request', 'tools/list'],
      [[0], 0, 'response', 'tools/list'],
      [[0, 1], 0, 'request', 'tools/call'],
      [[1, 0], 1, 'response', 'tools/call'],
      [[0, 2], 0, 'request', 'tools/call'],
      [[2, 0], 2, 'notification', 'notifications/progress'],
      [[2, 0], 2, 'request', 'sampling/createMessage'],
      [[0, 2], 0, 'response', 'sampling/createMessage'],
      [[2, 0], 2, 'error', 'tools/call'],
      [[2, 0], 2, 'notification', 'notifications/message'],
      [[0], 0, 'notification', 'notifications/tools/list_changed'],
    ]);
    const call = vcon.dialog![4];
    assert.deepEqual(call.meta, { mcp_type: 'request', mcp_method: 'tools/call', request_id: 2, upstream: 'memory', original_name: 'read_graph', upstream_request_id: 7 });
    assert.equal(call.mediatype, 'application/json');
    assert.equal(call.encoding, 'none');
    assert.deepEqual(JSON.parse(call.body!).params.name, 'mem__read_graph', 'the body is the message as the client sent it');
    assert.match(call.start, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('summarises the session and tags it', () => {
    const vcon = aggregatedSession();
    const summary = JSON.parse(vcon.analysis![0].body!);
    assert.equal(summary.message_count, 13);
    assert.equal(summary.tool_calls, 2);
    assert.equal(summary.errors, 1);
    assert.equal(summary.methods['tools/call'], 2);
    assert.deepEqual(summary.upstreams, { memory: 2, everything: 6 });
    assert.equal(vcon.analysis![0].type, 'session_summary');
    assert.equal(vcon.analysis![0].vendor, 'mcproxy');
    const tags = vcon.attachments![0];
    assert.equal(tags.purpose, 'tags');
    assert.deepEqual(JSON.parse(tags.body!), [
      'source:mcproxy',
      'server_name:mcproxy',
      'upstreams:everything,memory',
      'tool_count:2',
      'mcp_session_id:abc-123',
      'environment:test',
    ]);
  });

  it('produces a vCon that passes the IETF schema and the core rules', () => {
    const vcon = aggregatedSession();
    assert.deepEqual(vconProblems(JSON.parse(builder.toJson(vcon))), []);
    assert.equal(vcon.vcon, '0.4.0');
    assert.match(vcon.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a version 8 UUID');
  });

  it('points a continuation at the vCon it continues, and records a chain parent', () => {
    const previous = uuidV8();
    const parent = uuidV8();
    const vcon = builder.build(
      journal(captureAll(), [
        start({ amended: previous }),
        msg('in', { id: 9, method: 'tools/call', params: { name: 'x', _meta: { 'mcproxy/vcon_uuid': parent } } }),
      ]),
    )!;
    assert.deepEqual(vcon.amended, { uuid: previous });
    assert.equal(vcon.dialog![0].meta!.parent_vcon, parent);
    assert.ok(JSON.parse(vcon.attachments![0].body!).includes(`parent_vcon:${parent}`));
    assert.deepEqual(vconProblems(vcon), []);
  });

  it('puts every message of a wrapped single server between the client and that server', () => {
    const vcon = builder.build(
      journal(captureAll(), [
        start({ defaultParty: 'weather', upstreams: ['weather'] }),
        { t: 'party', key: 'weather', info: { name: 'weather-server', version: '2' } },
        msg('in', { id: 1, method: 'tools/call', params: { name: 'forecast' } }),
        msg('out', { id: 1, result: { content: [] } }),
      ]),
    )!;
    assert.deepEqual(vcon.parties.map((p) => p.name), ['mcp-client', 'weather']);
    assert.deepEqual(vcon.dialog!.map((d) => d.parties), [[0, 1], [1, 0]]);
  });

  it('keeps nothing from a journal without messages', () => {
    assert.equal(builder.build([start()]), undefined);
  });
});

describe('vCon capture', () => {
  it('replaces resource contents and prompt messages with a marker when their capture is off', () => {
    const capture = new MessageCapture({ captureResources: false, capturePrompts: false, redact: [] });
    capture.entry(msg('in', { id: 1, method: 'resources/read', params: { uri: 'file:///secret' } }));
    const read = capture.entry(msg('out', { id: 1, result: { contents: [{ uri: 'file:///secret', mimeType: 'text/plain', text: 'TOP SECRET' }] } }));
    assert.doesNotMatch(textOf(read), /TOP SECRET/);
    assert.equal(JSON.parse(textOf(read)).result.contents[0].text, NOT_CAPTURED_RESOURCE);
    capture.entry(msg('in', { id: 2, method: 'prompts/get', params: { name: 'p' } }));
    const prompt = capture.entry(msg('out', { id: 2, result: { messages: [{ role: 'user', content: { type: 'text', text: 'PRIVATE' } }] } }));
    assert.equal(JSON.parse(textOf(prompt)).result.messages, NOT_CAPTURED_PROMPT);
  });

  it('applies redact patterns to bodies', () => {
    const capture = new MessageCapture({ captureResources: true, capturePrompts: true, redact: [/sk-[A-Za-z0-9]+/g] });
    const entry = capture.entry(msg('in', { id: 1, method: 'tools/call', params: { name: 'x', arguments: { key: 'sk-abc123', again: 'sk-zzz' } } }));
    assert.equal(entry.message, undefined, 'with patterns, only the redacted text is kept (and journaled)');
    assert.doesNotMatch(JSON.stringify(entry), /sk-/);
    assert.equal(textOf(entry).split(REDACTED).length - 1, 2);
  });

  it('applies redact patterns to a result passed on as its upstream wrote it, escapes and all', () => {
    const capture = new MessageCapture({ captureResources: true, capturePrompts: true, redact: [/sk-[A-Za-z0-9]+/g] });
    capture.entry(msg('in', { id: 1, method: 'tools/call', params: { name: 'x', arguments: {} } }));
    // The fast lane's result as the upstream wrote it: the key's dash as an escape.
    const text = '{"result":{"content":[{"type":"text","text":"key sk\\u002dabc123 and sk-zzz"}]},"jsonrpc":"2.0","id":1}';
    const entry = capture.entry(msg('out', { id: 1, result: {} }, { text, verbatim: true }));
    assert.doesNotMatch(JSON.stringify(entry), /sk/);
    assert.equal(JSON.parse(textOf(entry)).result.content[0].text, `key ${REDACTED} and ${REDACTED}`);
  });

  it('cuts a body over maxInlineContentSize and keeps its size and sha512 hash', () => {
    const message = { id: 1, method: 'tools/call', params: { name: 'x', arguments: { text: 'é'.repeat(100) } } };
    const vcon = new VconBuilder().build([start({ maxInlineContentSize: 64 }), captureAll().entry(msg('in', message))])!;
    const full = JSON.stringify({ jsonrpc: '2.0', ...message });
    const [dialog] = vcon.dialog!;
    assert.ok(Buffer.byteLength(dialog.body!) <= 64);
    assert.ok(full.startsWith(dialog.body!), 'cut on a character boundary');
    assert.equal(dialog.meta!.truncated, true);
    assert.equal(dialog.meta!.original_size, Buffer.byteLength(full));
    assert.equal(dialog.meta!.content_hash, contentHash(full));
    assert.match(String(dialog.meta!.content_hash), /^sha512-[A-Za-z0-9_-]{86}$/);
    assert.deepEqual(vconProblems(vcon), []);
  });
});

describe('vCon checks', () => {
  it('accepts the shared example MCP-session vCon', () => {
    assert.deepEqual(vconProblems(JSON.parse(readFileSync(path.join(SHARED, 'vcon/mcp-session.example.vcon.json'), 'utf8'))), []);
  });

  for (const name of readdirSync(path.join(SHARED, 'vcon/conserver-rejects'))) {
    it(`refuses conserver-rejects/${name}`, () => {
      assert.notDeepEqual(vconProblems(JSON.parse(readFileSync(path.join(SHARED, 'vcon/conserver-rejects', name), 'utf8'))), []);
    });
  }

  it('catches what the schema alone lets through', () => {
    const vcon = new VconBuilder().build(journal(captureAll(), [start(), msg('in', { id: 1, method: 'ping' })]))!;
    const broken = structuredClone(vcon) as Vcon & Record<string, unknown>;
    broken.dialog![0].parties = [0, 5];
    broken.dialog![0].encoding = undefined;
    broken.attachments![0].dialog = 3;
    broken.redacted = { type: 'x' };
    broken.amended = { uuid: uuidV8() };
    broken.appended = {};
    const problems = vconProblems(broken).join('\n');
    for (const expected of ['dialog[0].parties: index 5', 'dialog[0].encoding', 'attachments[0].dialog', 'mutually exclusive', 'appended: renamed']) {
      assert.ok(problems.includes(expected), `expected "${expected}" in:\n${problems}`);
    }
  });
});
