// The fast lane's upstream side (session/fastLane.ts is the client side): raw JSON-RPC calls on
// one stdio child, under ids the SDK Client never uses (negative), with one timer for all their
// deadlines. The child transport hands it every response with such an id before the SDK sees it.
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/server';
import type { CallContext, UpstreamListener } from './attachments.js';
import type { UpstreamConnection } from './connection.js';
import type { ForwardedError } from './errors.js';
import type { ModernUpstream } from './modernUpstream.js';

type Message = Record<string, unknown>;

/** What the fast lane needs of an upstream connection (UpstreamConnection.rawLane gives it). */
export interface LaneLink {
  timeoutMs(): number;
  /** The error a call gets when the upstream did not answer in time, closed, or could not be written to: worded as the SDK path words it. */
  error(cause: 'timeout' | 'closed' | Error): ForwardedError;
  /** Marks a call in flight on the connection, so that the upstream's requests during it find this session. */
  track(listener: UpstreamListener<UpstreamConnection>, context: CallContext, upstreamId: RequestId): () => void;
}

/** A call waiting in the lane for its answer: the client side's (session/fastLane.ts). */
export interface LaneCall {
  upstreamId: number;
  deadline: number;
  /** The upstream's response (its id still the lane's). */
  settle(response: Message): void;
  /** Whether the client may have this result line as the upstream wrote it (its result ends before `resultEnd`, the comma before "jsonrpc"). */
  takesBytes(line: Buffer, resultEnd: number): boolean;
  /** The upstream's result line, whose result ends before `resultEnd` (the comma before "jsonrpc"; the client's id goes after it). */
  settleBytes(line: Buffer, resultEnd: number): void;
  fail(error: ForwardedError): void;
}

const RESULT_HEAD = Buffer.from('{"result":');
/** How SDK servers end a response line: the id last, after jsonrpc (then its digits, `}` and maybe `\r`). */
const RESULT_TAIL = Buffer.from(',"jsonrpc":"2.0","id":-');
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const CARRIAGE_RETURN = 0x0d;
const DIGIT_0 = 0x30;
/** Digits of a lane id at most (ids stay far below 2^53). */
const MAX_ID_DIGITS = 15;

/** How often calls sent before the last run out of time are looked for, at most: one timer for all of them. */
const TIMER_SLACK_MS = 10;

/**
 * The upstream side of the lane for one child transport: ids the SDK Client never uses
 * (negative), the calls waiting for them, one timer for their deadlines. Its child transport
 * hands it every response with a negative id before the SDK sees it, and tells it when it closes.
 */
export class UpstreamLane {
  private nextId = -1;
  private readonly waiting = new Map<number, LaneCall>();
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly send: (message: JSONRPCMessage) => Promise<void>,
    readonly link: LaneLink,
    /** Set when the child speaks 2026-07-28: what its requests carry in `_meta`, how its answers read (modernUpstream.ts). */
    readonly modern?: ModernUpstream,
  ) {}

  /** A response for the lane: settles its call. Responses to calls already cancelled or timed out are dropped. */
  take(message: Message): boolean {
    const id = message.id;
    if (typeof id !== 'number' || id >= 0 || 'method' in message) {
      if (id === undefined && !this.notified) {
        this.notified = true;
        setImmediate(this.notifiedDone);
      }
      return false;
    }
    const call = this.waiting.get(id);
    if (call) {
      this.waiting.delete(id);
      // The SDK delivers a notification (a log) a few microtasks late: an answer that followed it waits for it, as on the SDK path.
      if (this.notified) setImmediate(() => call.settle(message));
      else call.settle(message);
    }
    return true;
  }

  private notified = false;
  private readonly notifiedDone = () => (this.notified = false);

  /**
   * A result for the lane that needs nothing changed but its id goes to the client as the
   * upstream wrote it: not decoded, parsed or serialized again (small ones too: after the pipe
   * writes, that was the largest of the proxy's own costs per call). Anything else (another
   * shape, a recorded session, URIs to rewrite) is left to take().
   */
  takeLine(bytes: Buffer): boolean {
    // `{"result":{` ... `,"jsonrpc":"2.0","id":-N}`: what JSON-RPC sends at the ends of the line is all that is checked;
    // the rest is the upstream's to get right (a client that cannot parse it fails the call, as the proxy would have).
    if (this.waiting.size === 0 || bytes.length <= RESULT_HEAD.length || bytes.compare(RESULT_HEAD, 0, RESULT_HEAD.length, 0, RESULT_HEAD.length) !== 0) return false;
    if (bytes[RESULT_HEAD.length] !== OPEN_BRACE) return false;
    // The id read from the bytes, backwards from the closing brace: no string, no match per response.
    let at = bytes.length - 1;
    if (bytes[at] === CARRIAGE_RETURN) at--;
    if (bytes[at--] !== CLOSE_BRACE) return false;
    let id = 0;
    let scale = 1;
    for (let digits = 0; at > 0 && bytes[at] >= DIGIT_0 && bytes[at] <= DIGIT_0 + 9; at--, scale *= 10) {
      if (++digits > MAX_ID_DIGITS) return false;
      id += (bytes[at] - DIGIT_0) * scale;
    }
    const comma = at - RESULT_TAIL.length + 1;
    if (scale === 1 || comma <= RESULT_HEAD.length || bytes.compare(RESULT_TAIL, 0, RESULT_TAIL.length, comma, at + 1) !== 0) return false;
    const call = this.waiting.get(-id);
    if (!call || !call.takesBytes(bytes, comma)) return false;
    this.waiting.delete(call.upstreamId);
    if (this.notified) setImmediate(() => call.settleBytes(bytes, comma));
    else call.settleBytes(bytes, comma);
    return true;
  }

  /** The child's stdout closed: every call waiting fails as the SDK's would (connection closed, or the reason it was closed for). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    const calls = [...this.waiting.values()];
    this.waiting.clear();
    for (const call of calls) call.fail(this.link.error('closed'));
  }

  call(call: LaneCall, params: Record<string, unknown>): void {
    if (this.closed) return call.fail(this.link.error('closed'));
    const id = this.nextId--;
    call.upstreamId = id;
    call.deadline = Date.now() + this.link.timeoutMs();
    this.waiting.set(id, call);
    this.arm();
    this.send({ jsonrpc: '2.0', id, method: 'tools/call', params } as JSONRPCMessage).catch((error: Error) => {
      if (this.waiting.delete(id)) call.fail(this.link.error(error));
    });
  }

  /** The call ends here without an answer: the upstream is told to stop, as the SDK tells it. */
  cancel(id: number, reason: unknown): void {
    if (!this.waiting.delete(id) || this.closed) return;
    const params: Record<string, unknown> = { requestId: id, ...(reason !== undefined && { reason: String(reason) }) };
    // A 2026-07-28 child hears the envelope on notifications too, as the SDK sends it.
    if (this.modern) params._meta = this.modern.envelope;
    const notification = { jsonrpc: '2.0', method: 'notifications/cancelled', params };
    this.send(notification as JSONRPCMessage).catch(() => {});
  }

  /** The oldest call's deadline is the next one (ids are taken in order, with the same timeout). */
  private arm(): void {
    if (this.timer || this.waiting.size === 0) return;
    const oldest = this.waiting.values().next().value!;
    this.timer = setTimeout(this.sweep, Math.max(0, oldest.deadline - Date.now()) + TIMER_SLACK_MS);
  }

  private readonly sweep = () => {
    this.timer = undefined;
    const now = Date.now();
    for (const [id, call] of this.waiting) {
      if (call.deadline > now) break;
      const error = this.link.error('timeout');
      this.cancel(id, error.message);
      call.fail(error);
    }
    this.arm();
  };
}
