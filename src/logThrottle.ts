// Log lines that a misbehaving peer can trigger at will (garbage on a pipe, answers to nothing)
// must reach the log at the default level without letting the peer flood it: at most `max` per
// window, then one line saying how many were left out.
import { log } from './log.js';

export interface ThrottleOptions {
  max?: number;
  windowMs?: number;
}

export type ThrottledLog = (message: string) => void;

export function throttledWarn(meta: Record<string, string>, { max = 5, windowMs = 10_000 }: ThrottleOptions = {}): ThrottledLog {
  let windowStart = -Infinity;
  let count = 0;
  let suppressed = 0;
  return (message) => {
    const now = Date.now();
    if (now - windowStart >= windowMs) {
      if (suppressed > 0) log.warn(`… and ${suppressed} more like it in ${windowMs / 1000} s, not logged`, meta);
      windowStart = now;
      count = 0;
      suppressed = 0;
    }
    if (count++ < max) log.warn(message, meta);
    else suppressed++;
  };
}
