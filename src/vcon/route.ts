// What the router tells the recorder about a client request it forwards: the upstream, the
// name there when it differs, the upstream's own request id, and, for chains of proxies, this
// session's vCon uuid passed along in `_meta` so the next proxy can link its vCon to ours.
import type { Implementation, RequestId } from '@modelcontextprotocol/server';
import type { CallContext } from '../upstream/attachments.js';
import type { SessionRecorder } from './recorder.js';
import { CHAIN_META_KEY } from './types.js';

type Params = Record<string, unknown>;

/** Records the route (with the exposed tool name when the client called it `via` call_tool) and returns the upstream's params with the chain link in `_meta` (a new object: the client's message is left as recorded). */
export function recordRoute(
  recorder: SessionRecorder,
  requestId: RequestId,
  upstream: { name: string; serverInfo?: Implementation },
  clientParams: Params,
  upstreamParams: Params,
  route: { original: string },
  context: CallContext,
  via?: string,
): Params {
  const ref = clientParams.ref as Params | undefined;
  const exposed = clientParams.name ?? clientParams.uri ?? ref?.name ?? ref?.uri ?? clientParams.taskId;
  // Through call_tool, the client's message names call_tool: the route says which tool it called.
  const named = via !== undefined && typeof exposed === 'string' ? exposed : undefined;
  const entry = recorder.routed(requestId, { name: upstream.name, serverInfo: upstream.serverInfo }, exposed === route.original ? undefined : route.original, named);
  if (entry) context.upstreamRequestId = (id) => recorder.upstreamRequestId(entry, id);
  const uuid = recorder.vconUuid;
  if (uuid === undefined) return upstreamParams;
  return { ...upstreamParams, _meta: { ...(upstreamParams._meta as Params | undefined), [CHAIN_META_KEY]: uuid } };
}
