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
  controller: AbortController;
  settled: Promise<unknown>;
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
    const entry: Entry = { controller, settled };
    this.entries.add(entry);
    return settled.finally(() => {
      clientSignal.removeEventListener('abort', follow);
      this.entries.delete(entry);
      if (this.entries.size === 0) this.onEmpty?.();
    });
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
    for (const entry of entries) entry.controller.abort(shuttingDown());
    await Promise.allSettled(entries.map((entry) => entry.settled));
  }
}
