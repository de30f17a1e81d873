// Task ids as clients see them. Two upstreams may hand out the same task id, so the proxy
// prefixes each with its upstream's key and routes tasks/get|result|cancel by that prefix.
// Pure: tested without I/O.

export const RELATED_TASK_META_KEY = 'io.modelcontextprotocol/related-task';

export function exposeTaskId(upstream: string, taskId: string, separator: string): string {
  return `${upstream}${separator}${taskId}`;
}

/** The owning upstream and its own id; the longest matching upstream key wins. */
export function routeTaskId(exposed: string, upstreams: readonly string[], separator: string): { upstream: string; taskId: string } | undefined {
  const owner = upstreams
    .filter((name) => exposed.startsWith(`${name}${separator}`))
    .sort((a, b) => b.length - a.length)[0];
  return owner === undefined ? undefined : { upstream: owner, taskId: exposed.slice(owner.length + separator.length) };
}

type Json = Record<string, unknown>;

/**
 * A copy of an upstream message with every task id it carries rewritten: a task's own
 * `taskId`, `task.taskId` in a CreateTaskResult, each of `tasks[]`, and the related-task _meta.
 */
export function mapTaskIds<T>(message: T, rewrite: (taskId: string) => string): T {
  if (typeof message !== 'object' || message === null) return message;
  const out: Json = { ...(message as Json) };
  if (typeof out.taskId === 'string') out.taskId = rewrite(out.taskId);
  if (isObject(out.task) && typeof out.task.taskId === 'string') out.task = { ...out.task, taskId: rewrite(out.task.taskId) };
  if (Array.isArray(out.tasks)) out.tasks = out.tasks.map((task) => mapTaskIds(task, rewrite));
  return mapRelatedTask(out as T, rewrite);
}

/** A copy with only the related-task _meta rewritten: the task a request or notification is part of. */
export function mapRelatedTask<T>(message: T, rewrite: (taskId: string) => string): T {
  if (!isObject(message) || !isObject(message._meta)) return message;
  const related = message._meta[RELATED_TASK_META_KEY];
  if (!isObject(related) || typeof related.taskId !== 'string') return message;
  return { ...message, _meta: { ...message._meta, [RELATED_TASK_META_KEY]: { ...related, taskId: rewrite(related.taskId) } } };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
