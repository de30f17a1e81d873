// Keys for running an upstream like a production proxy would: what happens while it is down
// (failMode), how it is brought back (restart), how a hang is noticed (healthCheck), and
// whether readiness depends on it (required). Spread into every upstream by schema.ts.
import { z } from 'zod';
import { positiveInteger } from './numbers.js';

const NON_NEGATIVE_INTEGER = 'expected a whole number of milliseconds (0 or more)';
const nonNegativeInteger = () =>
  z.number({ error: NON_NEGATIVE_INTEGER }).int({ error: NON_NEGATIVE_INTEGER }).min(0, { error: NON_NEGATIVE_INTEGER });

export const RestartSchema = z
  .strictObject({
    /** This many failures (failed starts, crashes, failed health checks) within windowMs: `failed`, no more restarts until `mcproxy restart`. */
    maxFailures: positiveInteger().default(10),
    windowMs: positiveInteger().default(600_000),
    /** The first retry's delay; each further one doubles it, with jitter, up to maxDelayMs. */
    initialDelayMs: positiveInteger().default(500),
    maxDelayMs: positiveInteger().default(30_000),
  })
  .prefault({});

export const HealthCheckSchema = z
  .strictObject({
    /** How often a connected upstream is asked whether it still answers; 0 turns the check off. */
    intervalMs: nonNegativeInteger().default(30_000),
    /** No answer within this: the upstream is treated as down and restarted. */
    timeoutMs: positiveInteger().default(5_000),
  })
  .prefault({});

export const upstreamOperationKeys = {
  /** While down: `closed` keeps its tools listed and fails their calls at once with the reason; `open` removes them (list_changed). */
  failMode: z.enum(['open', 'closed']).default('closed'),
  restart: RestartSchema,
  healthCheck: HealthCheckSchema,
  /** Counts for readiness (/readyz): the proxy is ready only when every required upstream is up. */
  required: z.boolean().default(false),
};

export type RestartPolicy = z.infer<typeof RestartSchema>;
export type HealthCheckOptions = z.infer<typeof HealthCheckSchema>;

/** `server.*` keys of shutting down. */
export const shutdownKeys = {
  /** SIGINT/SIGTERM: calls in flight get this long to finish before they are cancelled. */
  shutdownGraceMs: nonNegativeInteger().default(10_000),
};

/** Numeric keys above, for env coercion in prepare.ts. */
export const OPERATION_NUMBER_KEYS = ['maxFailures', 'windowMs', 'initialDelayMs', 'maxDelayMs', 'intervalMs', 'shutdownGraceMs'] as const;
