// Log levels across the eras. A 2025-11-25 client sets one level for its session
// (logging/setLevel); a 2026-07-28 client names one in each request's `_meta`
// (io.modelcontextprotocol/logLevel) and, without it, hears no logs of that request. mcproxy
// gives a 2026-07-28 upstream the level in each request's `_meta`, a 2025-11-25 upstream a
// logging/setLevel, and filters what comes back by the level of the call it belongs to.
import { LoggingLevelSchema } from '@modelcontextprotocol/core';
import { LOG_LEVEL_META_KEY, PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/server';
import type { LoggingLevel } from '@modelcontextprotocol/server';

/** MCP log levels, least severe first. */
const SEVERITY: readonly LoggingLevel[] = LoggingLevelSchema.options;

/** What a client hears of logs: from a level up, everything (`undefined`), or nothing. */
export type LogThreshold = LoggingLevel | 'off' | undefined;

/** Whether a message at `level` reaches a client at `threshold`. */
export function logPasses(level: unknown, threshold: LogThreshold): boolean {
  if (threshold === undefined) return true;
  if (threshold === 'off') return false;
  return SEVERITY.indexOf(level as LoggingLevel) >= SEVERITY.indexOf(threshold);
}

/** Whether `level` shows more than `than` does (a level shows more than none set). */
export function moreVerbose(level: LoggingLevel, than: LoggingLevel | undefined): boolean {
  return than === undefined || SEVERITY.indexOf(level) < SEVERITY.indexOf(than);
}

/**
 * The threshold of one client request: a 2026-07-28 request's own `_meta` level (none: off),
 * else the level the 2025-11-25 session set.
 */
export function requestLogThreshold(envelope: Record<string, unknown> | undefined, sessionLevel: LoggingLevel | undefined): LogThreshold {
  if (typeof envelope?.[PROTOCOL_VERSION_META_KEY] !== 'string') return sessionLevel;
  const level = LoggingLevelSchema.safeParse(envelope[LOG_LEVEL_META_KEY]);
  return level.success ? level.data : 'off';
}

/** A 2026-07-28 upstream's request params, with the level in `_meta`. */
export function withLogLevel(params: Record<string, unknown>, level: LoggingLevel): Record<string, unknown> {
  return { ...params, _meta: { ...(params._meta as Record<string, unknown> | undefined), [LOG_LEVEL_META_KEY]: level } };
}
