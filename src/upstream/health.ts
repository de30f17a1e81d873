// One upstream's health, shared by every connection to it (each session's own, or the shared
// one): its state, its failures, and the restart policy that decides when the next start may
// happen. Because the policy lives here and not in a connection, a broken server is not
// started again for each new client session: a session that arrives while the upstream backs
// off waits its turn, and only one start at a time probes whether it works again.
// Other modules (metrics, status) read it through UpstreamStatus; they never change it.
import type { RestartPolicy } from '../config/operationsSchema.js';

/** idle: configured, but no session has needed it yet (HTTP mode starts upstreams per session). */
export type UpstreamStateName = 'idle' | 'starting' | 'up' | 'down' | 'failed' | 'stopped';

/** A snapshot for readers (status, metrics, readiness). Times are epoch milliseconds. */
export interface UpstreamStatus {
  name: string;
  state: UpstreamStateName;
  /** When it entered this state. */
  since: number;
  /** Starts after a failure (each spawn or reconnect the restart policy allowed). */
  restarts: number;
  /** Failures counted against `restart.maxFailures` (those within `restart.windowMs`). */
  recentFailures: number;
  /** Why it last failed, if it ever did (kept after it came back, for the status page). */
  lastError?: string;
  /** While backing off: when the next start may happen. */
  nextStartAt?: number;
  required: boolean;
  failMode: 'open' | 'closed';
}

/** What readers get: the latest status, and word of every change. */
export interface UpstreamHealthView {
  readonly name: string;
  status(): UpstreamStatus;
  /** Called on every state change; returns an unsubscribe function. */
  onChange(listener: (status: UpstreamStatus) => void): () => void;
}

/** Thrown by admit() once the upstream has `failed`: no start until a manual restart. */
export class UpstreamFailedError extends Error {}

/** The delay before the `attempt`-th retry (1-based): doubling from initialDelayMs up to maxDelayMs, ±20% jitter so that many proxies do not retry in step. */
export function backoffDelay(attempt: number, policy: Pick<RestartPolicy, 'initialDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export interface HealthSettings {
  restart: RestartPolicy;
  required: boolean;
  failMode: 'open' | 'closed';
}

export class UpstreamHealth implements UpstreamHealthView {
  private state: UpstreamStateName = 'idle';
  private since = Date.now();
  private restarts = 0;
  private failureTimes: number[] = [];
  /** Failures since it was last up: they set the backoff. */
  private consecutive = 0;
  private lastError?: string;
  private nextStartAt = 0;
  /** A start is under way after failures: the others wait for its outcome. */
  private probing = false;
  private readonly listeners = new Set<(status: UpstreamStatus) => void>();
  private readonly restartListeners = new Set<() => void>();
  /** Resolves the waiters of admit() on the next change. */
  private wake: () => void = () => {};
  private changed = new Promise<void>((resolve) => (this.wake = resolve));

  constructor(
    readonly name: string,
    public settings: HealthSettings,
    private readonly now: () => number = Date.now,
  ) {}

  status(): UpstreamStatus {
    this.prune();
    return {
      name: this.name,
      state: this.state,
      since: this.since,
      restarts: this.restarts,
      recentFailures: this.failureTimes.length,
      ...(this.lastError !== undefined && { lastError: this.lastError }),
      ...(this.state === 'down' && this.nextStartAt > this.now() && { nextStartAt: this.nextStartAt }),
      required: this.settings.required,
      failMode: this.settings.failMode,
    };
  }

  onChange(listener: (status: UpstreamStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Connections hear of a manual restart here: they drop what they have and start again. */
  onRestart(listener: () => void): () => void {
    this.restartListeners.add(listener);
    return () => this.restartListeners.delete(listener);
  }

  get failed(): boolean {
    return this.state === 'failed';
  }

  /** Whether a start now would have to wait (the upstream is backing off, probing, or failed). */
  get holdingStarts(): boolean {
    return this.state === 'failed' || this.consecutive > 0;
  }

  /** Why starts are held, in words, for the error a call gets meanwhile. */
  describe(): string {
    if (this.state === 'failed') {
      const { maxFailures, windowMs } = this.settings.restart;
      return `failed ${maxFailures} times within ${windowMs} ms (last: ${this.lastError ?? 'unknown'}); not restarting it until \`mcproxy restart ${this.name}\` or a config change`;
    }
    return this.lastError ?? this.state;
  }

  /**
   * Resolves when the caller may start a connection: at once while the upstream is healthy;
   * after failures, once the backoff is over and no other start is probing. Resolves to true
   * for the probing start, which must report success() or failure() (or abandon()).
   * Throws UpstreamFailedError once the upstream has failed for good.
   */
  async admit(): Promise<boolean> {
    for (;;) {
      if (this.state === 'failed') throw new UpstreamFailedError(this.describe());
      if (this.state === 'stopped') throw new UpstreamFailedError('removed from the config');
      if (this.consecutive === 0) {
        if (this.state === 'idle') this.enter('starting');
        return false;
      }
      const wait = this.nextStartAt - this.now();
      if (wait <= 0 && !this.probing) {
        this.probing = true;
        this.restarts++;
        return true;
      }
      await this.nextChange(wait > 0 ? wait : undefined);
    }
  }

  /** A connection is up. */
  success(): void {
    this.consecutive = 0;
    this.probing = false;
    this.enter('up');
  }

  /** A start failed, a connection died, or a health check went unanswered. */
  failure(reason: string): void {
    if (this.state === 'stopped') return;
    const now = this.now();
    this.lastError = reason;
    this.failureTimes.push(now);
    this.prune();
    this.consecutive++;
    this.probing = false;
    if (this.failureTimes.length >= this.settings.restart.maxFailures) {
      this.enter('failed');
      return;
    }
    this.nextStartAt = now + backoffDelay(this.consecutive, this.settings.restart);
    this.enter('down');
  }

  /** The probing start ended without an outcome (its session closed): let another one probe. */
  abandon(): void {
    if (!this.probing) return;
    this.probing = false;
    this.notify();
  }

  /** `mcproxy restart NAME`: forget the failures and start again at once. */
  restart(): void {
    if (this.state === 'stopped') return;
    this.failureTimes = [];
    this.consecutive = 0;
    this.probing = false;
    this.nextStartAt = 0;
    this.enter(this.restartListeners.size > 0 ? 'starting' : 'idle');
    for (const listener of [...this.restartListeners]) listener();
  }

  /** Removed from the config (or the proxy is stopping): waiters give up. */
  stop(): void {
    this.enter('stopped');
  }

  private enter(state: UpstreamStateName): void {
    if (state !== this.state) {
      this.state = state;
      this.since = this.now();
    }
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.changed = new Promise<void>((resolve) => (this.wake = resolve));
    wake();
    const status = this.status();
    for (const listener of [...this.listeners]) listener(status);
  }

  private nextChange(ms?: number): Promise<void> {
    if (ms === undefined) return this.changed;
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([this.changed, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms).unref()))]).finally(() => clearTimeout(timer));
  }

  private prune(): void {
    const oldest = this.now() - this.settings.restart.windowMs;
    while (this.failureTimes.length > 0 && this.failureTimes[0] <= oldest) this.failureTimes.shift();
  }
}

/** The health settings an upstream's config gives. */
export function healthSettings(upstream: HealthSettings): HealthSettings {
  return { restart: upstream.restart, required: upstream.required, failMode: upstream.failMode };
}

/** Every upstream's health, by name: what status, metrics and readiness read. */
export interface UpstreamHealthRegistry {
  get(name: string): UpstreamHealthView | undefined;
  all(): UpstreamHealthView[];
}
