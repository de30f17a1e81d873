// A token bucket per client (its key or token subject, else its address): `perSecond` sustained,
// `burst` at once. Past it: 429 with Retry-After.
import { clientKeyOf, reply, type HttpFilter } from '../filters.js';

/** Buckets kept at most; full (idle) ones are dropped first when there are more. */
const MAX_BUCKETS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

export interface RateLimit {
  perSecond: number;
  burst?: number;
}

/** A pure token-bucket limiter: take(key, nowMs) → 0 when allowed, else the seconds to wait. */
export function tokenBuckets({ perSecond, burst }: RateLimit): (key: string, now: number) => number {
  const capacity = burst ?? Math.max(1, Math.ceil(perSecond));
  const buckets = new Map<string, Bucket>();
  return (key, now) => {
    const bucket = buckets.get(key) ?? { tokens: capacity, at: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    buckets.set(key, bucket);
    if (buckets.size > MAX_BUCKETS) prune(buckets, capacity);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / perSecond);
  };
}

function prune(buckets: Map<string, Bucket>, capacity: number): void {
  for (const [key, bucket] of buckets) if (bucket.tokens >= capacity - 1) buckets.delete(key);
}

export function rateLimit(limit: RateLimit): HttpFilter {
  const take = tokenBuckets(limit);
  return (req, res, context) => {
    const wait = take(clientKeyOf(req, context), Date.now());
    if (wait === 0) return true;
    reply(res, 429, -32000, `Too many requests: at most ${limit.perSecond} per second; retry in ${wait} s`, { 'retry-after': String(wait) });
    return false;
  };
}
