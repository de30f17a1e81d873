// Which protocol eras clients may speak: 2026-07-28 (per-request `_meta`, no session) and
// 2025-11-25 (initialize, sessions). Spread into the `server` section by schema.ts.
import { z } from 'zod';

export const MODERN_PROTOCOL = '2026-07-28';
export const LEGACY_PROTOCOL = '2025-11-25';

export const protocolKeys = {
  /** What clients may speak; both by default. */
  protocols: z
    .array(z.enum([MODERN_PROTOCOL, LEGACY_PROTOCOL]))
    .min(1, { error: 'name at least one protocol version' })
    .default([MODERN_PROTOCOL, LEGACY_PROTOCOL]),
  /**
   * The HMAC key of the requestState mcproxy hands 2026-07-28 clients (session/requestState.ts);
   * random per process when unset. Instances that share it accept each other's retries.
   */
  stateKey: z
    .string()
    .refine((key) => Buffer.byteLength(key, 'utf8') >= 32, { error: 'stateKey must be at least 32 bytes (e.g. `openssl rand -base64 32`)' })
    .optional(),
};

/**
 * Upstream keys: which era mcproxy speaks to the upstream. `auto` probes with server/discover
 * and falls back to initialize; the verdict is remembered, across runs too (see
 * upstream/eraVerdicts.ts), so that only the first start pays the probe.
 */
export const upstreamProtocolKeys = {
  protocol: z.enum(['auto', 'legacy', 'modern']).default('auto'),
};
