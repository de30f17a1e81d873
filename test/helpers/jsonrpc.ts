// Raw JSON-RPC to the proxy's Streamable HTTP endpoint, for what an SDK client would not send.
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';

/** The headers every POST to a Streamable HTTP endpoint carries. */
export const POST_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** POSTs one JSON-RPC message, with POST_HEADERS and then `headers` (a session id, a protocol version). */
export function postJsonRpc(url: string, message: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { ...POST_HEADERS, ...headers }, body: JSON.stringify(message) });
}

/** A raw POST, to see what the wire says: status, Mcp-Session-Id and the JSON-RPC answer (plain JSON or the first SSE event). */
export async function postAndRead(url: string, message: unknown, headers: Record<string, string> = {}) {
  const response = await postJsonRpc(url, message, headers);
  const raw = await response.text();
  const json = raw.startsWith('{') ? raw : (/^data: (.+)$/m.exec(raw)?.[1] ?? '{}'); // (an SSE priming event has empty data)
  return { status: response.status, sessionId: response.headers.get('mcp-session-id'), message: JSON.parse(json) as Record<string, any> };
}

/** One server-sent event: its `id:`, `retry:` and `data:` fields. */
export interface SseEvent {
  id?: string;
  retry?: number;
  data: string;
}

/** The events of an SSE body (or of its first part), in order. */
export function sseEvents(body: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of body.split(/\r?\n\r?\n/)) {
    const event: SseEvent = { data: '' };
    let seen = false;
    for (const line of block.split(/\r?\n/)) {
      const [, field, value] = /^([a-z]+): ?(.*)$/.exec(line) ?? [];
      if (field === 'id') event.id = value;
      else if (field === 'retry') event.retry = Number(value);
      else if (field === 'data') event.data = event.data ? `${event.data}\n${value}` : value;
      else continue;
      seen = true;
    }
    if (seen) events.push(event);
  }
  return events;
}

/** The JSON-RPC messages of an SSE body; events without data (a priming event) carry none. */
export function sseMessages(body: string): Record<string, unknown>[] {
  return sseEvents(body)
    .filter((event) => event.data !== '')
    .map((event) => JSON.parse(event.data) as Record<string, unknown>);
}
/** A plain initialize request, as a client without capabilities sends it. */
export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'mcproxy-test', version: '1' } },
};

/** A raw Streamable HTTP session at `url` (initialize, then initialized, at the latest revision a session has); returns its id. */
export async function rawSession(url: string): Promise<string> {
  const init = await postJsonRpc(url, { ...INITIALIZE, id: 0, params: { ...INITIALIZE.params, protocolVersion: LATEST_PROTOCOL_VERSION } });
  assert.equal(init.status, 200);
  const sessionId = init.headers.get('mcp-session-id')!;
  await init.text();
  const initialized = await postJsonRpc(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, sessionHeaders(sessionId));
  assert.equal(initialized.status, 202);
  return sessionId;
}

/** The headers each request of a raw session carries after initialize. */
export function sessionHeaders(sessionId: string): Record<string, string> {
  return { 'mcp-session-id': sessionId, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION };
}
