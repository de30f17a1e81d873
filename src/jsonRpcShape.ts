// Whether a parsed line is a JSON-RPC 2.0 message, checked the way the SDK's JSONRPCMessageSchema
// checks it (a request, notification, result or error; no other top-level keys; params and
// result objects; integer or string ids and progress tokens), by hand: the zod schema copies
// every object of every message, and both stdio transports run this on each line.
import type { JSONRPCMessage } from '@modelcontextprotocol/server';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value: unknown) => typeof value === 'string' || Number.isInteger(value);

const REQUEST_KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);
const RESULT_KEYS = new Set(['jsonrpc', 'id', 'result']);
const ERROR_KEYS = new Set(['jsonrpc', 'id', 'error']);

function onlyKeys(value: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const key in value) if (!allowed.has(key)) return false;
  return true;
}

/** A request's or notification's params: an object whose `_meta` (if any) has a valid progress token and related task. */
function validParams(params: unknown): boolean {
  if (params === undefined) return true;
  if (!isObject(params)) return false;
  const meta = params._meta;
  if (meta === undefined) return true;
  if (!isObject(meta)) return false;
  if (meta.progressToken !== undefined && !isId(meta.progressToken)) return false;
  const related = meta['io.modelcontextprotocol/related-task'];
  return related === undefined || (isObject(related) && typeof related.taskId === 'string');
}

/** `value` as a JSON-RPC message, or undefined when it is none. */
export function asJsonRpcMessage(value: unknown): JSONRPCMessage | undefined {
  if (!isObject(value) || value.jsonrpc !== '2.0') return undefined;
  if (typeof value.method === 'string') {
    if (value.id !== undefined && !isId(value.id)) return undefined;
    return onlyKeys(value, REQUEST_KEYS) && validParams(value.params) ? (value as JSONRPCMessage) : undefined;
  }
  if ('result' in value) {
    if (!isId(value.id) || !isObject(value.result) || !onlyKeys(value, RESULT_KEYS)) return undefined;
    return validResultMeta(value.result) ? (value as JSONRPCMessage) : undefined;
  }
  if ('error' in value) {
    const error = value.error;
    if ((value.id !== undefined && !isId(value.id)) || !isObject(error) || !onlyKeys(value, ERROR_KEYS)) return undefined;
    return Number.isInteger(error.code) && typeof error.message === 'string' ? (value as JSONRPCMessage) : undefined;
  }
  return undefined;
}

/** A result's `_meta` must be an object; a malformed serverInfo in it is dropped (as the SDK's schema does). */
function validResultMeta(result: Record<string, unknown>): boolean {
  const meta = result._meta;
  if (meta === undefined) return true;
  if (!isObject(meta)) return false;
  const info = meta['io.modelcontextprotocol/serverInfo'];
  if (info !== undefined && !(isObject(info) && typeof info.name === 'string' && typeof info.version === 'string')) delete meta['io.modelcontextprotocol/serverInfo'];
  return true;
}
