// Raw JSON-RPC to the proxy's Streamable HTTP endpoint, for what an SDK client would not send.

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
