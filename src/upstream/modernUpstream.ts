// The fast lane's side of a stdio upstream that speaks 2026-07-28 (rawLane.ts is the lane's
// upstream side): what a call and a cancellation carry in `_meta`, and how an answer is read,
// both as the SDK Client does it on the usual path. The envelope is the one the Client sends
// (its negotiated version, mcproxy's client info, the capabilities the call declares, the
// client's log level), and the answer goes through the Client's own 2026-07-28 decoding, so a
// result it would refuse (no `resultType`, a malformed result) fails alike, and an
// `input_required` round is told apart for the usual path to take.
import { CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY, LOG_LEVEL_META_KEY, PROTOCOL_VERSION_META_KEY, ProtocolError } from '@modelcontextprotocol/client';
import type { Client, ClientCapabilities, Implementation, LoggingLevel } from '@modelcontextprotocol/client';
import { ForwardedError } from './errors.js';

type Params = Record<string, unknown>;

/** An upstream's answer to a lane call, read as the SDK Client reads it. */
export type ModernAnswer = { kind: 'complete'; result: Params } | { kind: 'input_required' } | { kind: 'invalid'; error: Error };

/** The part of the SDK's wire codec the lane uses (a private method of the Client: the public path is client.request()). */
interface WireCodec {
  decodeResult(method: string, raw: unknown): ModernAnswer;
}

export class ModernUpstream {
  /** What every request carries: the version, mcproxy's client info, and the connection's capabilities (a call may declare others). */
  readonly envelope: Params;
  private readonly codec: WireCodec;

  private constructor(client: Client, clientInfo: Implementation, capabilities: ClientCapabilities, codec: WireCodec) {
    this.envelope = { [PROTOCOL_VERSION_META_KEY]: client.getNegotiatedProtocolVersion(), [CLIENT_INFO_META_KEY]: clientInfo, [CLIENT_CAPABILITIES_META_KEY]: capabilities };
    this.codec = codec;
  }

  /** The lane's side of `client`'s upstream; undefined where this SDK has no such codec (a private method: an SDK upgrade may drop it), and then the lane is off for the upstream. */
  static of(client: Client, clientInfo: Implementation, capabilities: ClientCapabilities): ModernUpstream | undefined {
    const codecOf = (client as unknown as { _wireCodec?: () => WireCodec })._wireCodec;
    if (typeof codecOf !== 'function') return undefined;
    const codec = codecOf.call(client);
    return typeof codec?.decodeResult === 'function' ? new ModernUpstream(client, clientInfo, capabilities, codec) : undefined;
  }

  /**
   * A call's params as the Client sends them: the capabilities this call declares and its log
   * level in the envelope, whatever `_meta` the params had (the recorder's chain link) after it.
   */
  params(params: Params, capabilities: ClientCapabilities, level: LoggingLevel | undefined): Params {
    const meta: Params = { ...this.envelope, [CLIENT_CAPABILITIES_META_KEY]: capabilities };
    if (level !== undefined) meta[LOG_LEVEL_META_KEY] = level;
    return { ...params, _meta: params._meta === undefined ? meta : { ...meta, ...(params._meta as Params) } };
  }

  /** A tools/call result: lifted out of its `resultType` (the client side writes it again), or why it is not one. */
  answer(raw: unknown): ModernAnswer {
    try {
      return this.codec.decodeResult('tools/call', raw);
    } catch (error) {
      return { kind: 'invalid', error: error instanceof Error ? error : new Error(String(error)) };
    }
  }

  /** An error answer as the Client throws it (ProtocolError.fromError keeps only what its typed errors carry), for the client's code, message and data. */
  error(code: number, message: string, data: unknown): ForwardedError {
    const error = ProtocolError.fromError(code, message, data);
    return new ForwardedError(error.code, error.message, error.data);
  }
}
