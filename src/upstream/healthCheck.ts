// The periodic "are you still there?" to a connected upstream. An upstream that stops
// answering is treated as down (and restarted by its policy) instead of costing every call its
// full timeout. The question depends on the protocol era: `ping` up to 2025-11-25; the
// 2026-07-28 era has no ping, and `server/discover` is the cheapest request it must answer.
import type { HealthCheckOptions } from '../config/operationsSchema.js';

/** Protocol versions are dates: from this one on there is no ping. */
const DISCOVER_ERA = '2026-07-28';

/** The request that asks an upstream speaking `protocolVersion` whether it is alive. */
export function healthProbeMethod(protocolVersion: string | undefined): 'ping' | 'server/discover' {
  return protocolVersion !== undefined && protocolVersion >= DISCOVER_ERA ? 'server/discover' : 'ping';
}

/** JSON-RPC codes that mean "no answer came" (the SDK's timeout, a closed connection) rather than an answer. */
const NO_ANSWER_CODES = new Set([-32001, -32000]);

/** Whether a failed probe still shows a live upstream: any JSON-RPC error it sent (say, "method not found") is an answer. */
export function answeredAnyway(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' && code < 0 && !NO_ANSWER_CODES.has(code);
}

/**
 * Asks `probe` every intervalMs (never two at once); when it fails without an answer, calls
 * `onDead` with the reason and stops. Returns the function that stops the checks.
 */
export function startHealthChecks(options: HealthCheckOptions, probe: (timeoutMs: number) => Promise<unknown>, onDead: (reason: string) => void): () => void {
  if (options.intervalMs === 0) return () => {};
  let busy = false;
  let stopped = false;
  const timer = setInterval(() => {
    if (busy || stopped) return;
    busy = true;
    probe(options.timeoutMs)
      .then(
        () => {},
        (error: unknown) => {
          if (stopped || answeredAnyway(error)) return;
          stopped = true;
          clearInterval(timer);
          onDead(`health check unanswered within ${options.timeoutMs} ms (${error instanceof Error ? error.message : String(error)})`);
        },
      )
      .finally(() => (busy = false));
  }, options.intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
