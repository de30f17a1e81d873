// Keys that bound what a long-running HTTP proxy holds: how long an idle client session lives,
// how many of its stream events are kept for resumption, and how many HTTP requests and
// streams one upstream connection may have open. Spread into the `server` section and into
// remote upstreams by schema.ts.
import { z } from 'zod';
import { positiveInteger } from './numbers.js';

/** `server.*` keys of the HTTP listener's session lifecycle. */
export const sessionLifecycleKeys = {
  /** A session with no request and no open stream for this long ends (HTTP mode). */
  sessionIdleMs: positiveInteger().default(600_000),
  /** HTTP: a session that never called a tool, read a resource or got a prompt ends after this long idle (list-only probes). */
  unusedSessionIdleMs: positiveInteger().default(30_000),
  /** How long a client's first list waits for upstreams still starting; later ones arrive with list_changed. */
  firstListWaitMs: positiveInteger().default(2_000),
  /** Stream events kept so that a client can resume a dropped stream with Last-Event-ID. */
  resumption: z
    .strictObject({
      /** Events kept per session; older ones are dropped first. */
      maxEventsPerSession: positiveInteger().default(1_000),
      /** Events kept over all sessions together; the oldest anywhere are dropped first. */
      maxEvents: positiveInteger().default(20_000),
      /** The `retry:` (ms) a client is told to wait before reconnecting a closed stream. */
      retryMs: positiveInteger().default(5_000),
    })
    .prefault({}),
};

/** Remote upstream keys: what one connection (one session's, or the shared one) may hold open. */
export const remoteConnectionLimitKeys = {
  /** POSTs (requests, with their response streams) open at once; one more fails at once. */
  maxRequests: positiveInteger().default(32),
  /** GET streams open at once (the server's own stream, and resumed ones); one more fails at once. */
  maxStreams: positiveInteger().default(4),
};

/** The numeric keys above, for env coercion in prepare.ts. */
export const SESSION_NUMBER_KEYS = ['sessionIdleMs', 'unusedSessionIdleMs', 'firstListWaitMs'] as const;
export const RESUMPTION_NUMBER_KEYS = ['maxEventsPerSession', 'maxEvents', 'retryMs'] as const;
export const REMOTE_LIMIT_NUMBER_KEYS = ['maxRequests', 'maxStreams'] as const;
