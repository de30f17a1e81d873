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

/** A 2026-07-28 call the lane takes: what goes upstream, the client's log level for it, and the capabilities a 2026-07-28 upstream is told it declares. */
export interface ModernCall {
  params: Params;
  logThreshold: LogThreshold;
  capabilities: ClientCapabilities;
}

/** One session's 2026-07-28 envelope, as the lane reads requests and writes answers for it. */
export class ModernEnvelope {
  /** The envelope the SDK path last accepted, and its client info and capabilities as JSON. */
  private known?: { envelope: Params; info: string; capabilities: string; asks: boolean; forUpstreams: ClientCapabilities; config: ProxyConfig };

  constructor(private readonly session: ClientSession) {}

  /**
   * The call as the upstream gets it (no `_meta`: the SDK path strips the envelope for a
   * 2025-11-25 upstream), or undefined when the SDK path must take it.
   */
  admit(params: Params): ModernCall | undefined {
    for (const key in params) if (key !== 'name' && key !== 'arguments' && key !== '_meta') return undefined;
    const meta = params._meta as Params | undefined;
    if (typeof meta !== 'object' || meta === null || meta[PROTOCOL_VERSION_META_KEY] !== MODERN_PROTOCOL) return undefined;
    for (const key in meta) if (!ENVELOPE_KEYS.has(key)) return undefined;
    const level = meta[LOG_LEVEL_META_KEY];
    if (level !== undefined && !LEVELS.has(level)) return undefined;
    const known = this.accepted();
    if (!known || known.asks) return undefined;
    if (JSON.stringify(meta[CLIENT_CAPABILITIES_META_KEY]) !== known.capabilities || JSON.stringify(meta[CLIENT_INFO_META_KEY]) !== known.info) return undefined;
    const forwarded: Params = { name: params.name };
    if ('arguments' in params) forwarded.arguments = params.arguments;
    return { params: forwarded, logThreshold: (level as LoggingLevel | undefined) ?? 'off', capabilities: known.forUpstreams };
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
    const serverInfo = { name: this.session.config.server.name, version: this.session.config.server.version ?? PROXY_VERSION };
    if (meta === undefined) return { ...encoded, _meta: { [SERVER_INFO_META_KEY]: serverInfo } } as Result;
    if (!isPlainObject(meta) || meta[SERVER_INFO_META_KEY] !== undefined) return encoded as Result;
    return { ...encoded, _meta: { ...meta, [SERVER_INFO_META_KEY]: serverInfo } } as Result;
  }

  /** The era's error codes: -32002 (resource not found) is -32602 on the wire. */
  errorCode(code: number): number {
    return code === -32002 ? -32602 : code;
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

  private accepted() {
    const envelope = this.session.acceptedEnvelope;
    if (!envelope) return undefined;
    const config = this.session.config;
    if (this.known?.envelope !== envelope || this.known.config !== config) {
      const capabilities = envelope[CLIENT_CAPABILITIES_META_KEY];
      const asks = isPlainObject(capabilities) && Object.keys(capabilities).some((key) => INPUT_CAPABILITIES.has(key));
      // What the SDK path tells a 2026-07-28 upstream this request declares (inputRequired.ts): the same for every call with this envelope.
      const forUpstreams = this.session.capabilitiesForUpstreams(capabilities as ClientCapabilities);
      this.known = { envelope, info: JSON.stringify(envelope[CLIENT_INFO_META_KEY]), capabilities: JSON.stringify(capabilities), asks, forUpstreams, config };
    }
    return this.known;
  }
}

function isPlainObject(value: unknown): value is Params {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
