// The hand-written JSON-RPC check both stdio transports use agrees with the SDK's
// JSONRPCMessageSchema, message by message: same verdict, and a valid message is passed on whole.
import { JSONRPCMessageSchema } from '@modelcontextprotocol/core';
import assert from 'node:assert/strict';
import { asJsonRpcMessage } from '../../src/jsonRpcShape.js';

const CASES: unknown[] = [
  { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'hi' } } },
  { jsonrpc: '2.0', id: 'a', method: 'tools/list' },
  { jsonrpc: '2.0', method: 'notifications/initialized' },
  { jsonrpc: '2.0', id: 1, method: 'x', params: { _meta: { progressToken: 'p' } } },
  { jsonrpc: '2.0', id: 1, method: 'x', params: { _meta: { progressToken: 1.5 } } },
  { jsonrpc: '2.0', id: 1, method: 'x', params: { _meta: { 'io.modelcontextprotocol/related-task': { taskId: 7 } } } },
  { jsonrpc: '2.0', id: 1, method: 'x', params: [] },
  { jsonrpc: '2.0', id: 1, method: 'x', extra: true },
  { jsonrpc: '2.0', id: 1.5, method: 'x' },
  { jsonrpc: '2.0', id: null, method: 'x' },
  { jsonrpc: '1.0', id: 1, method: 'x' },
  { jsonrpc: '2.0', id: 1, result: { content: [] } },
  { jsonrpc: '2.0', id: 1, result: [] },
  { jsonrpc: '2.0', result: {} },
  { jsonrpc: '2.0', id: 1, result: {}, error: { code: 1, message: 'm' } },
  { jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'Method not found', data: { x: 1 } } },
  { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' } },
  { jsonrpc: '2.0', id: 1, error: { code: 1.5, message: 'm' } },
  { jsonrpc: '2.0', id: 1, error: { code: 1 } },
  { jsonrpc: '2.0', id: 1 },
  [{ jsonrpc: '2.0', id: 1, method: 'x' }],
  null,
  'text',
];

describe('JSON-RPC message shape (jsonRpcShape.ts)', () => {
  it('accepts and refuses what the SDK schema does, and passes a valid message on unchanged', () => {
    for (const value of CASES) {
      const sdk = JSONRPCMessageSchema.safeParse(value);
      const ours = asJsonRpcMessage(structuredClone(value));
      assert.equal(ours !== undefined, sdk.success, JSON.stringify(value));
      if (sdk.success) assert.deepEqual(ours, sdk.data, JSON.stringify(value));
    }
  });

  it('drops a malformed serverInfo from a result’s _meta, as the SDK schema does', () => {
    const message = asJsonRpcMessage({ jsonrpc: '2.0', id: 1, result: { _meta: { 'io.modelcontextprotocol/serverInfo': { name: 3 } } } });
    assert.deepEqual(message, { jsonrpc: '2.0', id: 1, result: { _meta: {} } });
  });
});
