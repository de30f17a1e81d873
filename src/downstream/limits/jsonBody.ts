// Reads a POST body once, for everything after it. Refused: with 413 past maxBodyBytes (the rest
// is drained unread, so a client still sending gets to read the answer); with a JSON-RPC error
// when nested deeper than maxDepth (checked on the text, before JSON.parse recurses into it) or
// when it is not JSON.
import type { IncomingMessage } from 'node:http';
import type { LimitsConfig } from '../../config/authSchema.js';
import { reply, type HttpFilter } from '../filters.js';

export function jsonBody(limits: Pick<LimitsConfig, 'maxBodyBytes' | 'maxDepth'>): HttpFilter {
  return async (req, res, context) => {
    if (req.method !== 'POST') return true;
    const declared = Number(req.headers['content-length']);
    if (declared > limits.maxBodyBytes) return tooLarge();
    const read = await readBody(req, limits.maxBodyBytes);
    if (read === 'too large') return tooLarge();
    if (read === 'aborted') return false; // the client hung up: no one to answer
    const text = read.toString('utf8');
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
      reply(res, 413, -32600, `Request body larger than ${limits.maxBodyBytes} bytes`);
      drain(req);
      return false;
    }
  };
}

/** The body, unless it grows past `limit` or the client hangs up first. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (result: Buffer | 'too large' | 'aborted') => {
      req.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) settle('too large');
      else chunks.push(chunk);
    };
    const onEnd = () => settle(Buffer.concat(chunks));
    const onClose = () => settle('aborted');
    req.on('data', onData).once('end', onEnd).once('close', onClose).once('error', onClose);
  });
}

/** Most bytes read and thrown away after a 413 before the connection is cut. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/** Discards the rest of a refused body, so that the client, still sending, gets to read the 413. */
function drain(req: IncomingMessage): void {
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > MAX_DRAIN_BYTES) req.socket.destroy();
  });
  req.resume();
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

/**
 * nestingExceeds on the UTF-8 bytes, before they are decoded (no byte of a multi-byte character
 * is a quote, backslash or bracket, so the answer is the same): a string's bytes are skipped in
 * a loop of their own. Twice as fast as the text's scan on a 2026-07-28 request line, whose
 * `_meta` envelope made that scan the largest of the stdio proxy's own costs per call.
 */
export function nestingExceedsBytes(bytes: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  const length = bytes.length;
  for (let i = 0; i < length; i++) {
    const c = bytes[i];
    if (c === 0x22) {
      for (i++; i < length; i++) {
        const inString = bytes[i];
        if (inString === 0x22) break;
        if (inString === 0x5c) i++; // backslash: skip the escaped character
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}
