// Raw JSON-RPC to the proxy's Streamable HTTP endpoint, for what an SDK client would not send.

/** The headers every POST to a Streamable HTTP endpoint carries. */
export const POST_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** POSTs one JSON-RPC message, with POST_HEADERS and then `headers` (a session id, a protocol version). */
export function postJsonRpc(url: string, message: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { ...POST_HEADERS, ...headers }, body: JSON.stringify(message) });
}

/** A plain initialize request, as a client without capabilities sends it. */
export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'mcproxy-test', version: '1' } },
};
