// Guessing keys or tokens must cost time: an address whose requests failed authentication
// (401) `maxFailures` times within `windowMs` gets 429 with Retry-After until the oldest of
// those failures is out of the window. It runs before the auth filter and learns of failures
// from the answers, so the auth filter stays about credentials only.
import { reply, type HttpFilter } from '../filters.js';

export interface AuthFailureLimit {
  maxFailures: number;
  windowMs: number;
}

export const AUTH_FAILURE_LIMIT: AuthFailureLimit = { maxFailures: 20, windowMs: 60_000 };

/** Addresses kept at most; the ones whose failures are oldest go first. */
const MAX_ADDRESSES = 10_000;

/** Pure: failures per address; `blockedFor` says how many seconds an address must wait (0: it may try). */
export function failureWindow({ maxFailures, windowMs }: AuthFailureLimit) {
  const failures = new Map<string, number[]>();
  const recent = (address: string, now: number) => (failures.get(address) ?? []).filter((at) => now - at < windowMs);
  return {
    failed(address: string, now: number): void {
      const times = [...recent(address, now), now].slice(-maxFailures);
      failures.delete(address);
      failures.set(address, times);
      if (failures.size > MAX_ADDRESSES) failures.delete(failures.keys().next().value!);
    },
    blockedFor(address: string, now: number): number {
      const times = recent(address, now);
      return times.length < maxFailures ? 0 : Math.ceil((times[0]! + windowMs - now) / 1000);
    },
  };
}

export function authFailureLimit(limit: AuthFailureLimit = AUTH_FAILURE_LIMIT): HttpFilter {
  const window = failureWindow(limit);
  return (req, res) => {
    const address = req.socket.remoteAddress ?? 'unknown';
    const wait = window.blockedFor(address, Date.now());
    if (wait > 0) {
      reply(res, 429, -32000, `Too many failed authentication attempts from this address; retry in ${wait} s`, { 'retry-after': String(wait) });
      return false;
    }
    res.once('finish', () => {
      if (res.statusCode === 401) window.failed(address, Date.now());
    });
    return true;
  };
}
