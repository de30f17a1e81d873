// One client session's recording. It sees the session's messages through the tapped transport
// (transport.ts) and learns from the session where each request went (`routed`) and which
// upstream sent what the proxy passes on (`from`). Each message is captured as it crosses and
// appended to the journal before the proxy acts on it or the client can have it: a process killed
// right after a response reached its client has that response on disk. It is one write(2) per
// message, or, over stdio, one for all the messages of a tick, at the end of that tick, still
// ahead of the transport's own write (flushSoon). Bookkeeping entries (routes, upstream ids) wait
// for the next message's write, at most JOURNAL_FLUSH_MS.
//
// Lifecycle: a vCon starts at the first message (initialize, or a 2026-07-28 client's first
// request: vcon/exchanges.ts); reaching maxMessages, or being
// idle for timeoutMs, closes it, and the next message starts a new one whose `amended` names
// the previous uuid; `end()` (client gone, DELETE, shutdown) closes the last one.
import { CLIENT_INFO_META_KEY, PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/server';
import type { Transport, TransportSendOptions, JSONRPCMessage, RequestId } from '@modelcontextprotocol/server';
import path from 'node:path';
import { MessageCapture, type CaptureOptions, type CrossedMessage } from './capture.js';
import { Journal, journalName } from './journal.js';
import { TappedTransport, type MessageTap } from './transport.js';
import type { Implementation, JournalEntry, RouteEntry, StartEntry } from './types.js';
import { uuidV8 } from './uuid.js';

/** How long a route entry may wait in memory when no message follows it (messages are written at once). */
export const JOURNAL_FLUSH_MS = 10;

/** The stand-in for a result the recorder has as text only (outgoingResult): capture splices the text in its place. */
const SERIALIZED_RESULT = Object.freeze({});

/** What the recorder needs from the recording it belongs to (recording.ts). */
export interface RecorderHost {
  readonly journalDir: string;
  readonly capture: CaptureOptions;
  readonly session: { timeoutMs: number; maxMessages: number };
  startEntry(): Omit<StartEntry, 't' | 'uuid' | 'at' | 'amended' | 'defaultParty'>;
  /** A vCon's journal is complete: build and deliver it. */
  finished(journalFile: string, uuid: string, sessionId: string): Promise<void>;
  /** Work that shutdown must wait for. */
  track(work: Promise<void>): Promise<void>;
  journalError(error: Error): void;
  /** The session's last vCon is closed (its delivery may still run). */
  sessionEnded(sessionId: string): void;
}

/** An upstream as the recorder names it: its key, and its serverInfo once known. */
export interface UpstreamRef {
  name: string;
  serverInfo?: Implementation;
}

interface OpenVcon {
  uuid: string;
  journal: Journal;
  messages: number;
  /** Upstream keys already described in this vCon's journal (with serverInfo or not). */
  parties: Map<string, boolean>;
  sessionNoted: boolean;
  /** Whether the client's name is in this vCon's journal (from initialize, or a 2026-07-28 request's `_meta`). */
  clientNoted: boolean;
}

export class SessionRecorder implements MessageTap {
  private readonly capture: MessageCapture;
  /** What waits for the journal's next write: messages as their lines (captured as they crossed), bookkeeping entries as objects (a route may still learn its upstream id). */
  private pending: (string | JournalEntry)[] = [];
  /** Whether the client's transport writes at the end of the tick, so the journal may too (flushSoon). */
  private batched = false;
  /** A write of what crossed in this tick is queued (flushSoon). */
  private flushQueued = false;
  /** The timer that writes bookkeeping entries no message followed. */
  private bookkeepingTimer?: NodeJS.Timeout;
  private current?: OpenVcon;
  private previous?: string;
  private origin?: string;
  private transport?: Transport;
  private lastActivity = 0;
  private idleTimer?: NodeJS.Timeout;
  private ended = false;
  private readonly finishing = new Set<Promise<void>>();

  constructor(
    private readonly host: RecorderHost,
    readonly sessionId: string,
    /** Library mode: the one server every message is exchanged with. */
    private readonly defaultParty?: UpstreamRef,
  ) {
    this.capture = new MessageCapture(host.capture);
  }

  /** The uuid of the vCon being written, for `_meta` of requests to upstreams (chains). */
  get vconUuid(): string | undefined {
    return this.current?.uuid;
  }

  wrap<T extends Transport>(transport: T): Transport {
    this.transport = transport;
    const tapped = new TappedTransport(transport, this);
    this.batched = tapped.writesAtTickEnd;
    return tapped;
  }

  /**
   * A 2026-07-28 client has no connection: each of its requests is served on a transport of its
   * own, tapped here into the same recording. Such a transport closing ends one exchange, not
   * the session (the session's close ends the recording).
   */
  wrapExchange<T extends Transport>(transport: T): Transport {
    return new TappedTransport(transport, this.exchangeTap);
  }

  private readonly exchangeTap: MessageTap = {
    incoming: (message) => this.incoming(message),
    outgoing: (message, options) => this.outgoing(message, options),
    outgoingResult: (id, text) => this.outgoingResult(id, text),
    closed: () => {},
  };

  incoming(message: JSONRPCMessage): void {
    const m = message as { method?: string; params?: { clientInfo?: Implementation; protocolVersion?: string; _meta?: Record<string, unknown> } };
    if (!this.open()) return;
    if (m.method === 'initialize' && m.params?.clientInfo) {
      this.current!.clientNoted = true;
      this.pending.push({ t: 'client', info: m.params.clientInfo, protocolVersion: m.params.protocolVersion });
    } else if (!this.current!.clientNoted && m.params?._meta) {
      this.noteModernClient(m.params._meta);
    }
    this.crossed({ at: this.lastActivity, dir: 'in', message });
  }

  /** A 2026-07-28 client names itself and its version in each request's `_meta`: once per vCon, as initialize would. */
  private noteModernClient(meta: Record<string, unknown>): void {
    const info = meta[CLIENT_INFO_META_KEY] as Implementation | undefined;
    const protocolVersion = meta[PROTOCOL_VERSION_META_KEY];
    if (!info || typeof info.name !== 'string') return;
    this.current!.clientNoted = true;
    const client = { name: info.name, ...(typeof info.version === 'string' && { version: info.version }) };
    this.pending.push({ t: 'client', info: client, ...(typeof protocolVersion === 'string' && { protocolVersion }) });
  }

  outgoing(message: JSONRPCMessage, options?: TransportSendOptions, text?: string): void {
    if (!this.open()) return;
    const current = this.current!;
    if (!current.sessionNoted && this.transport?.sessionId) {
      current.sessionNoted = true;
      this.pending.push({ t: 'session', mcpSessionId: this.transport.sessionId });
    }
    const result = (message as { result?: { serverInfo?: Implementation; protocolVersion?: string } }).result;
    // Library mode: the wrapped server's initialize answer names it.
    if (this.defaultParty && result?.serverInfo && result.protocolVersion) this.describe({ ...this.defaultParty, serverInfo: result.serverInfo });
    const crossed: CrossedMessage = { at: this.lastActivity, dir: 'out', message };
    if (this.origin !== undefined) crossed.origin = this.origin;
    if (options?.relatedRequestId !== undefined) crossed.related = options.relatedRequestId;
    if (text !== undefined) crossed.text = text;
    if (result === SERIALIZED_RESULT) crossed.verbatim = true;
    this.crossed(crossed);
  }

  /** A result the transport got serialized (the fast lane's, as the upstream wrote it): captured from its text, with a stand-in for the message. */
  outgoingResult(id: RequestId, text: string): void {
    this.outgoing({ jsonrpc: '2.0', id, result: SERIALIZED_RESULT } as JSONRPCMessage, undefined, text);
  }

  /** The client's request `id` goes to `upstream`, under its `original` name there. */
  routed(id: RequestId, upstream: UpstreamRef, original?: string, exposed?: string): RouteEntry | undefined {
    if (!this.current) return undefined;
    this.describe(upstream);
    const route: RouteEntry = { t: 'route', id, upstream: upstream.name, ...(original !== undefined && { original }), ...(exposed !== undefined && { exposed }) };
    this.pending.push(route);
    this.schedule();
    return route;
  }

  /** The upstream's own id for the request `route` describes: into that entry while it waits for the journal, else a new one. */
  upstreamRequestId(route: RouteEntry, upstreamId: RequestId): void {
    if (!this.current) return;
    if (this.pending.includes(route)) route.upstreamId = upstreamId;
    else this.pending.push({ ...route, upstreamId });
    this.schedule();
  }

  /** Runs `send`, attributing what it sends to the client (synchronously) to `upstream`. */
  from<T>(upstream: UpstreamRef, send: () => T): T {
    if (this.current) this.describe(upstream);
    const outer = this.origin;
    this.origin = upstream.name;
    try {
      return send();
    } finally {
      this.origin = outer;
    }
  }

  closed(): void {
    void this.end();
  }

  /** The session is over: closes its last vCon and waits until it is delivered (or kept for later). */
  async end(): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      clearTimeout(this.idleTimer);
      this.close();
      this.host.sessionEnded(this.sessionId);
    }
    await Promise.all([...this.finishing]);
  }

  /** Makes sure a vCon is open for the next message; false once the session has ended. */
  private open(): boolean {
    if (this.ended) return false;
    if (!this.current) this.begin();
    this.lastActivity = Date.now();
    return true;
  }

  private begin(): void {
    const uuid = uuidV8();
    const journal = new Journal(path.join(this.host.journalDir, journalName(uuid)), (error) => this.host.journalError(error));
    this.current = { uuid, journal, messages: 0, parties: new Map(), sessionNoted: false, clientNoted: false };
    const start: StartEntry = {
      t: 'start',
      uuid,
      at: Date.now(),
      ...this.host.startEntry(),
      ...(this.previous && { amended: this.previous }),
      ...(this.defaultParty && { defaultParty: this.defaultParty.name }),
    };
    this.pending.push(start);
    if (this.defaultParty) this.describe(this.defaultParty);
    this.armIdleTimer();
  }

  private crossed(message: CrossedMessage): void {
    try {
      this.pending.push(this.capture.line(message));
    } catch (error) {
      // Whatever a message holds, it must not take the proxy down.
      this.host.journalError(error as Error);
    }
    if (this.batched) this.flushSoon();
    else this.flush();
    if (++this.current!.messages >= this.host.session.maxMessages) this.close();
  }

  /**
   * Queues the write of this tick's messages, with whatever waited before them, in order. The
   * stdio transport writes a tick's messages in a process.nextTick queued at the first of them
   * (batchedWrites.ts); the tap sees each message before the transport does, so the journal's
   * nextTick, queued at the tick's first message, runs ahead of the transport's. What the proxy
   * does with a client's message (its upstream writes go out the same way) comes after too.
   */
  private flushSoon(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    process.nextTick(this.flushQueuedNow);
  }

  private readonly flushQueuedNow = (): void => {
    if (this.flushQueued) this.flush();
  };

  private describe(upstream: UpstreamRef): void {
    const parties = this.current!.parties;
    const known = parties.get(upstream.name);
    if (known === true || (known === false && !upstream.serverInfo)) return;
    parties.set(upstream.name, upstream.serverInfo !== undefined);
    const info = upstream.serverInfo && { name: upstream.serverInfo.name, version: upstream.serverInfo.version };
    this.pending.push({ t: 'party', key: upstream.name, ...(info && { info }) });
  }

  /** One timer at a time, not one per call: a message usually takes the entries along first. */
  private schedule(): void {
    this.bookkeepingTimer ??= setTimeout(() => {
      this.bookkeepingTimer = undefined;
      this.flush();
    }, JOURNAL_FLUSH_MS);
  }

  /** Capture and journal everything queued, in order, in one write. */
  private flush(): void {
    this.flushQueued = false;
    const queued = this.pending;
    if (queued.length === 0) return;
    this.pending = [];
    const journal = this.current?.journal;
    if (!journal) return;
    try {
      journal.append(queued.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))));
    } catch (error) {
      // Runs from a timer: it must not take the proxy down.
      this.host.journalError(error as Error);
    }
  }

  /** Closes the open vCon: the next message, if any, starts its successor. */
  private close(): void {
    const current = this.current;
    if (!current) return;
    this.flush();
    current.journal.append([JSON.stringify({ t: 'end', at: Date.now() })]);
    this.current = undefined;
    this.previous = current.uuid;
    clearTimeout(this.idleTimer);
    const done = this.host.track(
      current.journal
        .close()
        .then(() => this.host.finished(current.journal.file, current.uuid, this.sessionId))
        .finally(() => this.finishing.delete(done)),
    );
    this.finishing.add(done);
  }

  /** One timer per session, re-armed lazily: no timer work per message. */
  private armIdleTimer(): void {
    const timeout = this.host.session.timeoutMs;
    const check = () => {
      if (!this.current) return;
      const idle = Date.now() - this.lastActivity;
      if (idle >= timeout) this.close();
      else this.idleTimer = setTimeout(check, timeout - idle).unref();
    };
    this.idleTimer = setTimeout(check, timeout).unref();
  }
}
