// Reads a POST body once, for everything after it: refused with 413 past maxBodyBytes (without
// reading the rest), with a JSON-RPC error when nested deeper than maxDepth (checked on the
// text, before JSON.parse ever recurses into it) or when it is not JSON.
import type { LimitsConfig } from '../../config/authSchema.js';
import { reply, type HttpFilter } from '../filters.js';

export function jsonBody(limits: Pick<LimitsConfig, 'maxBodyBytes' | 'maxDepth'>): HttpFilter {
  return async (req, res, context) => {
    if (req.method !== 'POST') return true;
    const declared = Number(req.headers['content-length']);
    if (declared > limits.maxBodyBytes) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limits.maxBodyBytes) return tooLarge();
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (nestingExceeds(text, limits.maxDepth)) {
      reply(res, 400, -32600, `Invalid Request: JSON nested deeper than ${limits.maxDepth} levels`);
      return false;
    }
    try {
      context.body = JSON.parse(text);
    } catch {
      reply(res, 400, -32700, 'Parse error: the body is not valid JSON');
      return false;
    }
    return true;

    function tooLarge(): boolean {
      // Close the connection: the rest of the body is not worth reading.
      reply(res, 413, -32600, `Request body larger than ${limits.maxBodyBytes} bytes`, { connection: 'close' });
      return false;
    }
  };
}

/** Whether arrays/objects in `text` nest deeper than `maxDepth` (brackets inside strings don't count). */
export function nestingExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}
