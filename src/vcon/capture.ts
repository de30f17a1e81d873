// Turns one JSON-RPC message that crossed the client's transport into a journal entry: what it
// is (request, response, notification, error; which method, a response's included), and the
// message as the vCon keeps it: resource contents and prompt messages replaced by a marker when
// their capture is off, `redact` patterns applied (the JSON text then goes to the journal, so
// nothing they match reaches the disk). Without patterns the message object goes into the
// journal line as it is: one serialization per message, none for a message the transport
// serialized already (its text is spliced into the line). Bodies over maxInlineContentSize are
// cut when the vCon is built (builder.ts).
import { createHash } from 'node:crypto';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/server';
import { CHAIN_META_KEY, type Direction, type MessageEntry } from './types.js';

export interface CaptureOptions {
  captureResources: boolean;
  capturePrompts: boolean;
  redact: RegExp[];
}

/** A message as the transport tap saw it, before capture. */
export interface CrossedMessage {
  at: number;
  dir: Direction;
  message: JSONRPCMessage;
  origin?: string;
  related?: RequestId;
  /** The message's JSON text when the transport serialized it already (transport.ts): reused, not serialized again. */
  text?: string;
  /** `text` is as its sender wrote it (the fast lane's results), not as JSON.stringify writes it. */
  verbatim?: boolean;
}

export const NOT_CAPTURED_RESOURCE = '[resource content not captured: vcon.session.captureResources is false]';
export const NOT_CAPTURED_PROMPT = '[prompt messages not captured: vcon.session.capturePrompts is false]';
export const REDACTED = '[REDACTED]';

type Loose = Record<string, unknown>;

export class MessageCapture {
  /** Requests still waiting for their response, by direction and id: a response carries its request's method. */
  private readonly pending = { in: new Map<RequestId, { method: string; first: boolean }>(), out: new Map<RequestId, { method: string; first: boolean }>() };

  constructor(private readonly options: CaptureOptions) {}

  /** The crossed message's journal line (JSON, no newline). */
  line(crossed: CrossedMessage): string {
    const entry = this.entry(crossed);
    if (crossed.text === undefined || entry.message !== crossed.message) return JSON.stringify(entry);
    // The message as the client got it, spliced in: the same JSON a second serialization would give.
    entry.message = undefined;
    const rest = JSON.stringify(entry);
    return `${rest.slice(0, -1)},"message":${crossed.text}}`;
  }

  entry({ at, dir, message, origin, related, text, verbatim }: CrossedMessage): MessageEntry {
    const m = message as Loose;
    const id = m.id as RequestId | undefined;
    const entry: MessageEntry = { t: 'msg', at, dir, kind: 'notification' };
    if (origin !== undefined) entry.origin = origin;
    if (related !== undefined) entry.related = related;
    if (id !== undefined) entry.id = id;
    let shown: unknown = message;

    if (typeof m.method === 'string') {
      entry.method = m.method;
      const params = (m.params ?? {}) as Loose;
      if (id !== undefined) {
        entry.kind = 'request';
        this.pending[dir].set(id, { method: m.method, first: params.cursor === undefined });
        const parent = (params._meta as Loose | undefined)?.[CHAIN_META_KEY];
        if (typeof parent === 'string') entry.parentVcon = parent;
      } else if (m.method === 'notifications/cancelled' && params.requestId !== undefined) {
        entry.cancels = params.requestId as RequestId;
      }
    } else if (id !== undefined) {
      // A response travels the other way from its request.
      const requestDir: Direction = dir === 'in' ? 'out' : 'in';
      const request = this.pending[requestDir].get(id);
      this.pending[requestDir].delete(id);
      entry.kind = 'error' in m ? 'error' : 'response';
      if (request) entry.method = request.method;
      if (entry.kind === 'response' && request) shown = this.captured(request.method, m, entry, request.first);
    }

    if (this.options.redact.length === 0) entry.message = shown;
    else entry.body = redact(shown === message && text !== undefined ? (verbatim ? escapedOneWay(text) : text) : JSON.stringify(shown), this.options.redact);
    return entry;
  }

  /** The response as recorded: markers instead of content whose capture is off. */
  private captured(method: string, response: Loose, entry: MessageEntry, first: boolean): unknown {
    const result = (response.result ?? {}) as Loose;
    if (method === 'tools/list' && Array.isArray(result.tools)) entry.listed = { count: result.tools.length, first };
    if (method === 'resources/read' && !this.options.captureResources && Array.isArray(result.contents)) {
      const contents = (result.contents as Loose[]).map(({ uri, mimeType }) => ({ uri, mimeType, text: NOT_CAPTURED_RESOURCE }));
      return { ...response, result: { ...result, contents } };
    }
    if (method === 'prompts/get' && !this.options.capturePrompts && Array.isArray(result.messages)) {
      return { ...response, result: { ...result, messages: NOT_CAPTURED_PROMPT } };
    }
    return response;
  }
}

/** vCon's content_hash form: `sha512-` and the digest in base64url. */
export function contentHash(text: string): string {
  return `sha512-${createHash('sha512').update(text).digest('base64url')}`;
}

/** The longest prefix of `text` within `bytes` UTF-8 bytes, never splitting a character. */
function cutToBytes(text: string, bytes: number): string {
  const buffer = Buffer.from(text);
  let end = bytes;
  while (end > 0 && (buffer[end] & 0xc0) === 0x80) end--;
  return buffer.subarray(0, end).toString('utf8');
}

/**
 * A verbatim JSON text as JSON.stringify writes it. A message passed on as its sender wrote it
 * (the fast lane's results) may spell a character as an escape (`\u002d`, `\/`), which a pattern
 * written for the character would not match: such a text is parsed and written again before
 * redaction. Text the proxy serialized itself is left as it is.
 */
function escapedOneWay(text: string): string {
  return text.includes('\\') ? JSON.stringify(JSON.parse(text)) : text;
}

export function redact(text: string, patterns: readonly RegExp[]): string {
  for (const pattern of patterns) text = text.replace(pattern, REDACTED);
  return text;
}

/** The message as it goes into the vCon: its JSON text, cut to `maxBytes` with the original's size and hash. */
export function inlineBody(entry: MessageEntry, maxBytes: number): { body: string; truncated?: { originalSize: number; contentHash: string } } {
  const body = entry.body ?? JSON.stringify(entry.message);
  const size = Buffer.byteLength(body);
  if (size <= maxBytes) return { body };
  return { body: cutToBytes(body, maxBytes), truncated: { originalSize: size, contentHash: contentHash(body) } };
}

/** `redact` sources as global regular expressions. */
export function redactPatterns(sources: readonly string[]): RegExp[] {
  return sources.map((source) => new RegExp(source, 'g'));
}
