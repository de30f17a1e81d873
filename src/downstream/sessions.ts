// The HTTP listener's live sessions, by Mcp-Session-Id, and when each one ends: on DELETE, when
// idle (no request and no open stream for `idleMs`, or the shorter `unusedIdleMs` for a session
// that never used anything: clients such as the Inspector list and go without DELETE, and each
// such session holds its own upstream processes), at shutdown, or when its transport closes on
// its own. An ended session's id is forgotten, so a later request with it gets 404.
import type { ServerResponse } from 'node:http';
import { log } from '../log.js';
import type { ClientSession } from '../session/session.js';
import type { SessionEventStore } from './eventStore.js';
import type { HttpSessionTransport } from './sessionTransport.js';

export type EndReason = 'DELETE' | 'idle' | 'shutdown' | 'transport closed';

export interface LiveSession {
  id: string;
  transport: HttpSessionTransport;
  session: ClientSession;
  events: SessionEventStore;
  /** The path it was opened at (the plain path, or a profile's): its id is valid only there. */
  path: string;
  /** Who opened it (the auth filters' subject), when the listener authenticates. */
  subject?: string;
}

interface Entry extends LiveSession {
  /** HTTP exchanges (requests, and the streams they became) still open. */
  open: number;
  idleTimer?: NodeJS.Timeout;
  ending?: EndReason;
}

export class SessionRegistry {
  private readonly live = new Map<string, Entry>();

  constructor(
    private readonly idleMs: number,
    private readonly unusedIdleMs = idleMs,
  ) {}

  get size(): number {
    return this.live.size;
  }

  add(session: LiveSession): void {
    const entry: Entry = { ...session, open: 0 };
    this.live.set(session.id, entry);
    // Ended from the session's side (its transport closed): forget it too.
    session.session.onclose = () => this.forget(entry, 'transport closed');
    log.info('session started', { session: session.id });
    this.armIdleTimer(entry);
  }

  get(id: string): LiveSession | undefined {
    return this.live.get(id);
  }

  /** Counts `res` as activity on the session until it closes (a stream may stay open for long). */
  hold(id: string, res: ServerResponse): void {
    const entry = this.live.get(id);
    if (!entry) return;
    entry.open++;
    clearTimeout(entry.idleTimer);
    res.once('close', () => {
      entry.open--;
      this.armIdleTimer(entry);
    });
  }

  /** The client said DELETE: the transport ends the session; this records why. */
  markDeleted(id: string): void {
    const entry = this.live.get(id);
    if (entry) entry.ending ??= 'DELETE';
  }

  async end(id: string, reason: EndReason): Promise<void> {
    const entry = this.live.get(id);
    if (!entry) return;
    entry.ending ??= reason;
    // Forgotten first: a request arriving while its upstreams close gets 404, not a closing transport.
    this.forget(entry, reason);
    await entry.session.close();
  }

  async endAll(reason: EndReason): Promise<void> {
    await Promise.all([...this.live.keys()].map((id) => this.end(id, reason)));
  }

  private armIdleTimer(entry: Entry): void {
    if (entry.open > 0 || !this.live.has(entry.id)) return;
    clearTimeout(entry.idleTimer);
    entry.idleTimer = setTimeout(() => void this.end(entry.id, 'idle'), this.idleLimit(entry));
    entry.idleTimer.unref();
  }

  private idleLimit(entry: Entry): number {
    return entry.session.used ? this.idleMs : Math.min(this.idleMs, this.unusedIdleMs);
  }

  private forget(entry: Entry, fallback: EndReason): void {
    if (this.live.get(entry.id) !== entry) return;
    this.live.delete(entry.id);
    clearTimeout(entry.idleTimer);
    entry.events.dispose();
    const reason = entry.ending ?? fallback;
    const idle = entry.session.used ? `idle for ${this.idleMs} ms` : `idle for ${this.idleLimit(entry)} ms without using a tool, prompt or resource`;
    log.info(`session ended: ${reason === 'idle' ? idle : reason}`, { session: entry.id });
  }
}
