// Tasks (experimental in MCP 2025-11-25): task-augmented tools/call and tasks/get|result|
// list|cancel pass through, with each upstream's task ids kept apart by a prefix.
import type { Result, JSONRPCRequest, Notification } from '@modelcontextprotocol/server';
import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import { paginate } from '../catalog/paginate.js';
import { exposeTaskId, mapRelatedTask, mapTaskIds, routeTaskId } from '../catalog/taskIds.js';
import type { UpstreamConnection } from '../upstream/connection.js';
import { ForwardedError } from '../upstream/errors.js';
import { collectPages } from '../upstream/listing.js';
import type { ClientSession } from './session.js';

type Params = Record<string, unknown>;

/** Rewrites an upstream's task ids into the ids this session's client sees. */
export function exposeTasks<T>(session: ClientSession, upstream: string, message: T): T {
  return mapTaskIds(message, (taskId) => exposeTaskId(upstream, taskId, session.config.naming.separator));
}

/**
 * An upstream's notification or request as the client must see it: a task status carries the
 * exposed id, and so does the related-task _meta of anything sent as part of a task. Other ids
 * (the client's own tasks, which the upstream may poll) stay as they are.
 */
export function exposeTaskParams<T extends Notification | JSONRPCRequest>(session: ClientSession, upstream: string, message: T): T {
  if (!message.params) return message;
  const rewrite = (taskId: string) => exposeTaskId(upstream, taskId, session.config.naming.separator);
  const params = message.method === 'notifications/tasks/status' ? mapTaskIds(message.params, rewrite) : mapRelatedTask(message.params, rewrite);
  return params === message.params ? message : { ...message, params };
}

/**
 * Tasks cross only between 2025-11-25 peers: the 2026-07-28 side has them only as the
 * `io.modelcontextprotocol/tasks` extension, which the SDK mcproxy is built on does not speak
 * (it declares no tasks to a 2026-07-28 client, and that client could not read a created task).
 * A task-augmented call that would cross the eras is refused, saying so, instead of half-working.
 */
export function refuseTaskAcrossEras(session: ClientSession, connection: UpstreamConnection, params: Params): void {
  if (params.task === undefined) return;
  const side = session.speaksModern() ? 'this client speaks' : connection.speaksModern ? `upstream '${connection.name}' speaks` : undefined;
  if (!side) return;
  throw new ForwardedError(
    ProtocolErrorCode.InvalidParams,
    `Tasks cross mcproxy only between 2025-11-25 peers, and ${side} 2026-07-28 (mcproxy has no io.modelcontextprotocol/tasks extension yet): call without "task"`,
  );
}

/** The owner of a task id the client sent, and the upstream's own id. */
export function routeTask(session: ClientSession, taskId: unknown): { upstream: string; taskId: string } {
  const names = session.config.upstreams.map((u) => u.name);
  const route = typeof taskId === 'string' ? routeTaskId(taskId, names, session.config.naming.separator) : undefined;
  if (!route) throw new ForwardedError(ProtocolErrorCode.InvalidParams, `Unknown task: ${String(taskId)}`);
  return route;
}

/** tasks/list: every tasks-capable upstream's list, all pages, merged and paged by the proxy. */
export async function listTasks(session: ClientSession, params: Params): Promise<Result> {
  const tasks: unknown[] = [];
  for (const connection of (await session.upstreams()).values()) {
    if (connection.state !== 'ready' || !connection.serverCapabilities?.tasks?.list) continue;
    const upstreamTasks = await collectPages(connection.name, 'tasks/list', 'tasks', (cursor) =>
      connection.request(session, { method: 'tasks/list', params: cursor === undefined ? {} : { cursor } }),
    );
    tasks.push(...upstreamTasks.map((task) => exposeTasks(session, connection.name, task)));
  }
  const { page, nextCursor } = paginate(tasks, 'tasks', session.config.server.pageSize, params.cursor as string | undefined);
  return nextCursor === undefined ? { tasks: page } : { tasks: page, nextCursor };
}
