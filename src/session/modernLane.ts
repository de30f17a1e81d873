// The 2026-07-28 era in the fast lane (fastLane.ts): a tools/call from a client that says its
// protocol version, client info and capabilities in every request's `_meta`, answered in that
// era's shape (a 2026-07-28 upstream gets its own envelope: upstream/modernUpstream.ts). The
// lane takes such a call only when its envelope is one the SDK path already accepted from this
// client (so it is valid, and passed the loop check), it carries nothing else in `_meta`, and it
// declares no capability an upstream request during the call could use (sampling, elicitation,
// roots: those calls need the SDK path's input_required rounds). The rest (a first request,
// another envelope, progress, trace context, requestState, inputResponses, tasks) keeps taking
// the SDK path.
import { LoggingLevelSchema } from '@modelcontextprotocol/core';
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  LOG_LEVEL_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  SERVER_INFO_META_KEY,
} from '@modelcontextprotocol/server';
import type { ClientCapabilities, LoggingLevel, Result } from '@modelcontextprotocol/server';
import type { ProxyConfig } from '../config/schema.js';
import { MODERN_PROTOCOL } from '../config/erasSchema.js';
import type { ForwardedError } from '../upstream/errors.js';
import { PROXY_VERSION } from '../version.js';
import { undeclaredInput } from './inputRequired.js';
import type { LogThreshold } from './logLevel.js';
import { REQUIRED_CAPABILITY } from './serverRequests.js';
import type { ClientSession } from './session.js';

type Params = Record<string, unknown>;

const ENVELOPE_KEYS = new Set([PROTOCOL_VERSION_META_KEY, CLIENT_INFO_META_KEY, CLIENT_CAPABILITIES_META_KEY, LOG_LEVEL_META_KEY]);
const LEVELS = new Set<unknown>(LoggingLevelSchema.options);
/** Capabilities whose requests an upstream may make during a call: a call declaring one takes the SDK path. */
const INPUT_CAPABILITIES = new Set<string>(Object.values(REQUIRED_CAPABILITY));

/** Keys result() looks at, after their opening quote: a result holding one anywhere, or a `\u` escape that could spell one, is parsed, not spliced (takesBytes()). */
const UNSPLICED_KEYS = ['_meta"', 'resultType"', 'capabilities"'].map((key) => Buffer.from(key));
/** Past this size a result is searched by Buffer.includes (native, but a call of its own per key: more than a small result's whole scan). */
const SCAN_MAX_BYTES = 16 * 1024;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LETTER_U = 0x75;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACE = 0x7b;

/**
 * A 2026-07-28 call the lane takes: the client's log level for it, and the capabilities a
 * 2026-07-28 upstream is told it declares. Its params go upstream without `_meta` (the SDK path
 * strips the envelope for a 2025-11-25 upstream).
 */
export interface ModernCall {
  readonly logThreshold: LogThreshold;
  readonly capabilities: ClientCapabilities;
}

/** One session's 2026-07-28 envelope, as the lane reads requests and writes answers for it. */
export class ModernEnvelope {
  /** The envelope the SDK path last accepted, its client info and capabilities, and what follows from them. */
  private known?: { envelope: Params; info: unknown; capabilities: unknown; asks: boolean; forUpstreams: ClientCapabilities; config: ProxyConfig; call?: ModernCall };
  /** What a result spliced as bytes gets before its closing brace (resultBytes()), for the config it was written for. */
  private spliced?: { config: ProxyConfig; afterKeys: Buffer; alone: Buffer };

  constructor(private readonly session: ClientSession) {}

  /** What the lane needs of a call it may take, or undefined when the SDK path must take it. */
  admit(params: Params): ModernCall | undefined {
    for (const key in params) if (key !== 'name' && key !== 'arguments' && key !== '_meta') return undefined;
    const meta = params._meta as Params | undefined;
    if (typeof meta !== 'object' || meta === null || meta[PROTOCOL_VERSION_META_KEY] !== MODERN_PROTOCOL) return undefined;
    for (const key in meta) if (!ENVELOPE_KEYS.has(key)) return undefined;
    const level = meta[LOG_LEVEL_META_KEY];
    if (level !== undefined && !LEVELS.has(level)) return undefined;
    const known = this.accepted();
    if (!known || known.asks) return undefined;
    // Compared by value, not serialized: two JSON.stringify per call were most of what this era's calls cost the lane beyond a 2025-11-25 client's.
    if (!sameJson(meta[CLIENT_CAPABILITIES_META_KEY], known.capabilities) || !sameJson(meta[CLIENT_INFO_META_KEY], known.info)) return undefined;
    const logThreshold = (level as LoggingLevel | undefined) ?? 'off';
    // The same for every call with this envelope and level: made once.
    if (known.call?.logThreshold !== logThreshold) known.call = { logThreshold, capabilities: known.forUpstreams };
    return known.call;
  }

  /**
   * Whether a 2025-11-25 upstream's result line, its result ending before `resultEnd`, takes
   * this era's shape by splicing (resultBytes()): it ends as JSON.stringify ends an object, and
   * has nothing result() would change or keep (`resultType`, `_meta`, `capabilities`). Others
   * are parsed and go through result().
   */
  takesBytes(line: Buffer, resultEnd: number): boolean {
    return line[resultEnd - 1] === CLOSE_BRACE && !isWhitespace(line[resultEnd - 2]) && !holdsUnspliced(line, resultEnd);
  }

  /**
   * What result() adds to such a result, as the bytes that go after its members (`head`, its
   * text up to its closing brace) and end it: written once per config. Then the response's rest.
   */
  resultBytes(head: Buffer): Buffer {
    const config = this.session.config;
    if (this.spliced?.config !== config) {
      const members = `"resultType":"complete","_meta":{${JSON.stringify(SERVER_INFO_META_KEY)}:${JSON.stringify(this.serverInfo())}}},`;
      this.spliced = { config, afterKeys: Buffer.from(`,${members}`), alone: Buffer.from(members) };
    }
    // `{}`: nothing before the closing brace but the opening one.
    return head[head.length - 1] === OPEN_BRACE ? this.spliced.alone : this.spliced.afterKeys;
  }

  /** The result as the SDK encodes it for 2026-07-28: `resultType`, and mcproxy's serverInfo in `_meta`. */
  result(result: Params): Result {
    let encoded = result;
    const capabilities = encoded.capabilities;
    if (isPlainObject(capabilities) && 'tasks' in capabilities) {
      const { tasks: _tasks, ...rest } = capabilities;
      encoded = { ...encoded, capabilities: rest };
    }
    if (encoded.resultType === undefined) encoded = { ...encoded, resultType: 'complete' };
    const meta = encoded._meta;
    const serverInfo = this.serverInfo();
    if (meta === undefined) return { ...encoded, _meta: { [SERVER_INFO_META_KEY]: serverInfo } } as Result;
    if (!isPlainObject(meta) || meta[SERVER_INFO_META_KEY] !== undefined) return encoded as Result;
    return { ...encoded, _meta: { ...meta, [SERVER_INFO_META_KEY]: serverInfo } } as Result;
  }

  /**
   * An upstream request during a lane call, which declared none of the capabilities it needs:
   * the call fails with the SDK path's -32021 (`fail`), the upstream's request with its error.
   */
  refuseInput(upstream: string, method: string, fail: (error: ForwardedError) => void): Promise<never> {
    const needed = REQUIRED_CAPABILITY[method];
    const { clientError, upstreamError } = undeclaredInput(upstream, method, needed ?? method);
    fail(clientError as unknown as ForwardedError);
    return Promise.reject(upstreamError);
  }

  private serverInfo(): { name: string; version: string } {
    const server = this.session.config.server;
    return { name: server.name, version: server.version ?? PROXY_VERSION };
  }

  private accepted() {
    const envelope = this.session.acceptedEnvelope;
    if (!envelope) return undefined;
    const config = this.session.config;
    if (this.known?.envelope !== envelope || this.known.config !== config) {
      const capabilities = envelope[CLIENT_CAPABILITIES_META_KEY];
      const asks = isPlainObject(capabilities) && Object.keys(capabilities).some((key) => INPUT_CAPABILITIES.has(key));
      // What the SDK path tells a 2026-07-28 upstream this request declares (inputRequired.ts): the same for every call with this envelope.
      const forUpstreams = this.session.capabilitiesForUpstreams(capabilities as ClientCapabilities);
      this.known = { envelope, info: envelope[CLIENT_INFO_META_KEY], capabilities, asks, forUpstreams, config };
    }
    return this.known;
  }
}

/**
 * Whether two parsed JSON values are the same value (objects' keys in any order; a key set to
 * undefined, which JSON cannot carry, counts as absent), without serializing either.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const left = a as Params;
  const right = b as Params;
  let keys = 0;
  for (const key in left) {
    if (left[key] === undefined) continue;
    if (!Object.hasOwn(right, key) || !sameJson(left[key], right[key])) return false;
    keys++;
  }
  for (const key in right) if (right[key] !== undefined) keys--;
  return keys === 0;
}

/** Whether the line, up to `end`, holds a string that starts with one of UNSPLICED_KEYS (a key or a value), or a `\u` escape. */
function holdsUnspliced(line: Buffer, end: number): boolean {
  if (end > SCAN_MAX_BYTES) return line.includes('\\u') || UNSPLICED_KEYS.some((key) => line.includes(`"${key}`));
  for (let at = 0; at < end; at++) {
    if (line[at] !== QUOTE) continue;
    const next = line[at + 1];
    for (const key of UNSPLICED_KEYS) if (next === key[0] && holdsAt(line, key, at + 1)) return true;
    // To the string's closing quote, in a loop of its own.
    for (at++; at < end; at++) {
      const inString = line[at];
      if (inString === QUOTE) break;
      if (inString === BACKSLASH && line[++at] === LETTER_U) return true;
    }
  }
  return false;
}

/** Whether `key` is in `line` at `at` (a short key: compared here, not by a native call, which costs more). */
function holdsAt(line: Buffer, key: Buffer, at: number): boolean {
  for (let i = 0; i < key.length; i++) if (line[at + i] !== key[i]) return false;
  return true;
}

function isWhitespace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

function isPlainObject(value: unknown): value is Params {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
