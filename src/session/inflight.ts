// Every client request in flight across the proxy, so that a shutdown can let them finish
// within its grace time and then end the rest with an error that says why, instead of the
// error of an upstream killed under them.
import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import { ForwardedError } from '../upstream/errors.js';

export const SHUTTING_DOWN = 'mcproxy is shutting down';

export function shuttingDown(): ForwardedError {
  return new ForwardedError(ProtocolErrorCode.InternalError, SHUTTING_DOWN);
}

interface Entry {
  /** Ends the request with the reason (the shutdown's). */
  cancel(reason: unknown): void;
  /** Settles once it has ended; none where cancel() ends it at once (the fast lane's calls). */
  settled?: Promise<unknown>;
}

export class InflightRequests {
  private readonly entries = new Set<Entry>();
  private closing = false;
  private onEmpty?: () => void;

  get size(): number {
    return this.entries.size;
  }

  get draining(): boolean {
    return this.closing;
  }

  /**
   * Runs one client request. `run` gets a signal that aborts when the client cancels or when
   * the shutdown cancels it; either way the request settles then. Once shutting down, new
   * requests are refused.
   */
  track<T>(clientSignal: AbortSignal, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(shuttingDown());
    const controller = new AbortController();
    const follow = () => controller.abort(clientSignal.reason);
    clientSignal.addEventListener('abort', follow, { once: true });
    const aborted = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true }));
    aborted.catch(() => {});
    const settled = Promise.race([run(controller.signal), aborted]);
    const entry: Entry = { cancel: (reason) => controller.abort(reason), settled };
    this.entries.add(entry);
    return settled.finally(() => {
      clientSignal.removeEventListener('abort', follow);
      this.leave(entry);
    });
  }

  /**
   * A request that ends by other means (the fast lane's calls, fastLane.ts): `cancel` ends it
   * at once with the shutdown's reason. Returns what to call when it is done; undefined once
   * shutting down (the caller's usual path refuses it).
   */
  enter(cancel: (reason: unknown) => void): (() => void) | undefined {
    if (this.closing) return undefined;
    const entry: Entry = { cancel };
    this.entries.add(entry);
    return () => this.leave(entry);
  }

  private leave(entry: Entry): void {
    this.entries.delete(entry);
    if (this.entries.size === 0) this.onEmpty?.();
  }

  /** Refuses new requests from now on; resolves when those in flight are done, or after graceMs. Returns how many are still running. */
  async drain(graceMs: number): Promise<number> {
    this.closing = true;
    if (this.entries.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => (this.onEmpty = resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
    }
    return this.entries.size;
  }

  /** Ends every request still in flight with "mcproxy is shutting down" (upstreams are told to cancel them). */
  async cancelAll(): Promise<void> {
    const entries = [...this.entries];
    for (const entry of entries) entry.cancel(shuttingDown());
    await Promise.allSettled(entries.map((entry) => entry.settled));
  }
}
