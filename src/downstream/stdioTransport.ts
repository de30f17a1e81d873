// The stdio server transport, bounded: one JSON-RPC message per line, as the SDK's, but a line
// past maxBodyBytes is skipped (up to its newline) and answered with an error instead of
// closing the session, JSON nested past maxDepth is refused before it is parsed, and a line
// that is not JSON or not JSON-RPC gets the JSON-RPC error for it. The session never ends
// because of what the client wrote, only when it closes stdin.
import type { Transport, JSONRPCMessage } from '@modelcontextprotocol/server';
import type { Readable, Writable } from 'node:stream';
import type { LimitsConfig } from '../config/authSchema.js';
import { writeBatched } from '../batchedWrites.js';
import { asJsonRpcMessage } from '../jsonRpcShape.js';
import { throttledWarn } from '../logThrottle.js';
import { nestingExceedsBytes } from './limits/jsonBody.js';
import type { SerializedSender } from './serializedSend.js';

const NEWLINE = 0x0a;
/** Pieces of a serialized message up to this size are joined into one write (sendSerialized). */
const JOIN_MAX_BYTES = 16 * 1024;
const WRITTEN = Promise.resolve();

export class BoundedStdioServerTransport implements Transport, SerializedSender {
  onmessage?: (message: JSONRPCMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  private pending: Buffer[] = [];
  private pendingSize = 0;
  /** Inside a line that was too long: drop everything up to its newline. */
  private skipping = false;
  private readonly warn = throttledWarn({ session: 'stdio' });

  constructor(
    private readonly limits: Pick<LimitsConfig, 'maxBodyBytes' | 'maxDepth'>,
    private readonly input: Readable = process.stdin,
    private readonly output: Writable = process.stdout,
  ) {}

  async start(): Promise<void> {
    this.input.on('data', this.onData);
    this.input.on('error', this.onInputError);
  }

  private readonly onInputError = (error: Error) => this.onerror?.(error);

  private readonly onData = (chunk: Buffer) => {
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
      this.take(chunk.subarray(start, newline), true);
      start = newline + 1;
    }
    if (start < chunk.length) this.take(chunk.subarray(start), false);
  };

  /** Adds a piece of the current line; `ends` when a newline followed it. */
  private take(piece: Buffer, ends: boolean): void {
    if (!this.skipping) {
      this.pendingSize += piece.length;
      if (this.pendingSize > this.limits.maxBodyBytes) {
        this.pending = [];
        this.pendingSize = 0;
        this.skipping = true;
        this.refuse(null, -32600, `Message larger than ${this.limits.maxBodyBytes} bytes; skipped`);
      } else {
        this.pending.push(piece);
      }
    }
    if (!ends) return;
    // Most lines come whole in one chunk: read from it, not from a copy.
    const bytes = this.skipping ? undefined : this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingSize = 0;
    this.skipping = false;
    if (bytes !== undefined) this.handleLine(bytes);
  }

  private handleLine(bytes: Buffer): void {
    let line = bytes.toString('utf8');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trimStart() === '') return;
    if (nestingExceedsBytes(bytes, this.limits.maxDepth)) return this.refuse(null, -32600, `Invalid Request: JSON nested deeper than ${this.limits.maxDepth} levels`);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return this.refuse(null, -32700, 'Parse error: the line is not valid JSON', line);
    }
    const message = asJsonRpcMessage(value);
    if (!message) {
      const id = (value as { id?: unknown } | null)?.id;
      const validId = typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? id : null;
      const what = Array.isArray(value) ? 'batches are not supported' : 'not a JSON-RPC 2.0 request, notification or response';
      // A malformed response or notification gets no answer (there is no one to answer), only a log line.
      if (validId === null && !Array.isArray(value) && typeof (value as { method?: unknown } | null)?.method !== 'string') {
        this.warn(`dropped a message from the client: ${what}`);
        return;
      }
      return this.refuse(validId, -32600, `Invalid Request: ${what}`, line);
    }
    this.onmessage?.(message);
  }

  /** Answers with a JSON-RPC error; the log shows the start of the offending line, when there is one. */
  private refuse(id: string | number | null, code: number, message: string, line?: string): void {
    this.warn(`refused a message from the client: ${message}${line === undefined ? '' : `: ${JSON.stringify(line.slice(0, 200))}`}`);
    this.output.write(JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } }) + '\n');
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (writeBatched(this.output, JSON.stringify(message) + '\n')) return;
    await new Promise<void>((resolve) => this.output.once('drain', resolve));
  }

  /** A message already serialized, in pieces ending with its newline: the fast lane's results, as the upstream wrote them. Never rejects. */
  sendSerialized(pieces: ReadonlyArray<string | Uint8Array>): Promise<void> {
    let flowing = true;
    // A small message leaves as one piece: a stream write costs more than copying a few KiB.
    const length = pieces.length > 1 ? byteLength(pieces) : Infinity;
    if (length <= JOIN_MAX_BYTES) flowing = writeBatched(this.output, joined(pieces, length));
    else for (const piece of pieces) flowing = writeBatched(this.output, piece);
    // Not an async function: the usual answer makes no promise of its own.
    return flowing ? WRITTEN : new Promise<void>((resolve) => this.output.once('drain', resolve));
  }

  async close(): Promise<void> {
    this.input.off('data', this.onData);
    this.input.off('error', this.onInputError);
    if (this.input.listenerCount('data') === 0) this.input.pause();
    this.pending = [];
    this.onclose?.();
  }
}

/** Length of the pieces, strings counted in UTF-16 units (a bound within 3× of their bytes). */
function byteLength(pieces: ReadonlyArray<string | Uint8Array>): number {
  let total = 0;
  for (const piece of pieces) total += piece.length;
  return total;
}

/** The pieces in one buffer (small ones come from Node's pool); `bound` is byteLength()'s, which UTF-8 exceeds by 3× at most. */
function joined(pieces: ReadonlyArray<string | Uint8Array>, bound: number): Buffer {
  const buffer = Buffer.allocUnsafe(bound * 3);
  let at = 0;
  for (const piece of pieces) {
    if (typeof piece === 'string') at += buffer.write(piece, at);
    else {
      buffer.set(piece, at);
      at += piece.length;
    }
  }
  return buffer.subarray(0, at);
}
