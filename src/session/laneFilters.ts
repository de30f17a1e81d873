// The request filters (metrics, call statistics, span export: telemetry/filters.ts) around a
// call the fast lane takes, run as session.ts runs them around the SDK path's calls: the
// client's request first, then the call upstream, each settled by the call's own result or
// error. Without them the lane would be off wherever operations run (every HTTP listener).
import { runClientFilters, runUpstreamFilters, type ClientRequest, type RequestFilters, type UpstreamCall } from '../telemetry/filters.js';

type Params = Record<string, unknown>;

/** How a filtered call reports its end to the filters waiting on it. */
export interface CallObserver {
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

/** Runs the filters around `start`, which sends the call with the params the upstream filters settled on and settles when it ends. */
export function runFiltered(filters: RequestFilters, request: ClientRequest, upstreamCall: UpstreamCall, start: (params: Params) => Promise<unknown>): void {
  const upstream = () => runUpstreamFilters(filters.upstream, upstreamCall, (sent) => start(sent.params));
  // The call's error reached the client already (FastCall answers it); the filters only count it.
  runClientFilters(filters.client, request, upstream).catch(() => {});
}
