// Client → upstream: answers list requests from the catalog and sends every other request to
// the upstream that owns its tool, prompt or resource, under the upstream's original name.
import { LoggingLevelSchema } from '@modelcontextprotocol/core';
import type { RequestOptions, JSONRPCRequest, Result, ServerNotification, ServerRequest, ServerContext } from '@modelcontextprotocol/server';
import { ProtocolErrorCode, isInputRequiredResult } from '@modelcontextprotocol/server';
import { exposeUri, routeResource, routeTemplate, type Catalog, type Route } from '../catalog/catalog.js';
import { paginate } from '../catalog/paginate.js';
import { injectPinned } from '../catalog/policy.js';
import { rewriteResultUris } from '../catalog/uris.js';
import { ForwardedError, notFound, notYetListed } from '../upstream/errors.js';
import type { CallContext } from '../upstream/attachments.js';
import { LooseResult } from '../upstream/looseSchemas.js';
import { callUpstream, type SendUpstream } from './inputRequired.js';
import type { ClientSession } from './session.js';
import { exposeTasks, listTasks, refuseTaskAcrossEras, routeTask } from './tasks.js';
import { recordRoute } from '../vcon/route.js';
import { requestLogThreshold } from './logLevel.js';
import { checkParamHeaders, upstreamParamHeaders } from './paramHeaders.js';
import { withListHint, withReadHint } from './cacheHints.js';
import { callRoutes } from '../catalog/apps.js';

type Extra = ServerContext;
type Params = Record<string, unknown>;

/** The four lists the proxy answers itself, and the catalog field each pages through (the fast lane answers them too). */
export const LISTS: Record<string, keyof Pick<Catalog, 'tools' | 'prompts' | 'resources' | 'resourceTemplates'> | undefined> = {
  'tools/list': 'tools',
  'prompts/list': 'prompts',
  'resources/list': 'resources',
  'resources/templates/list': 'resourceTemplates',
};

export async function routeClientRequest(session: ClientSession, request: JSONRPCRequest, extra: Extra): Promise<Result> {
  const params = (request.params ?? {}) as Params;
  const list = LISTS[request.method];
  if (list) {
    const catalog = await session.listedCatalog();
    const items = list === 'tools' && session.search ? session.search.list(catalog) : catalog[list];
    const { page, nextCursor } = paginate<unknown>(items, list, session.config.server.pageSize, params.cursor as string | undefined);
    return withListHint(session, catalog, list, nextCursor === undefined ? { [list]: page } : { [list]: page, nextCursor });
  }
  if (request.method !== 'logging/setLevel') session.used = true;
  switch (request.method) {
    case 'tools/call': {
      const catalog = await session.catalog();
      if (session.search) return searchModeCall(session, extra, params, catalog);
      checkParamHeaders(catalog.tools, params, extra);
      return forward(session, extra, request.method, params, byName(session, callRoutes(catalog, params.name), 'tool', params.name, session.unavailableOwner(params.name)), catalog);
    }
    case 'prompts/get': {
      const catalog = await session.catalog();
      return forward(session, extra, request.method, params, byName(session, catalog.promptRoutes, 'prompt', params.name, session.unavailableOwner(params.name)), catalog);
    }
    case 'resources/read': {
      const catalog = await session.catalog();
      return withReadHint(session, await forward(session, extra, request.method, params, byUri(catalog, params.uri), catalog));
    }
    case 'resources/subscribe':
    case 'resources/unsubscribe':
      return subscription(session, request.method, params);
    case 'completion/complete':
      return complete(session, extra, params);
    case 'logging/setLevel':
      return setLevel(session, params.level);
    case 'tasks/get':
    case 'tasks/result':
    case 'tasks/cancel': {
      const { upstream, taskId } = routeTask(session, params.taskId);
      return forward(session, extra, request.method, { ...params, taskId }, { upstream, original: taskId });
    }
    case 'tasks/list':
      return listTasks(session, params);
    default:
      throw new ForwardedError(ProtocolErrorCode.MethodNotFound, `Method not found: ${request.method}`);
  }
}

/** tools/call in search mode: search_tools answered, call_tool forwarded as a call of the tool it names, the rest as the view allows. */
async function searchModeCall(session: ClientSession, extra: Extra, params: Params, catalog: Catalog): Promise<Result> {
  const decision = session.search!.call(catalog, params);
  if ('answer' in decision) return decision.answer;
  if ('refuse' in decision) throw new ForwardedError(ProtocolErrorCode.InvalidParams, decision.refuse);
  const call = 'forward' in decision ? decision.forward : params;
  const route = byName(session, catalog.toolRoutes, 'tool', call.name, session.unavailableOwner(call.name));
  return forward(session, extra, 'tools/call', call, route, catalog, 'via' in decision ? decision.via : undefined);
}

/** `waiting`: the error of the upstream whose namespace the name is in, when it could not connect (its names were never listed). */
function byName(session: ClientSession, routes: ReadonlyMap<string, Route>, kind: 'tool' | 'prompt', name: unknown, waiting?: ForwardedError): Route {
  const route = typeof name === 'string' ? routes.get(name) : undefined;
  const withholding = session.withheld.get(`${kind} ${String(name)}`);
  if (!route && withholding) throw new ForwardedError(ProtocolErrorCode.InvalidRequest, withholding);
  if (route) return route;
  if (waiting) throw waiting;
  // Not "Unknown tool" while the upstream that would list it has not started yet.
  const starting = session.startingUpstreams(String(name));
  throw starting.length > 0 ? notYetListed(kind, String(name), starting) : notFound(kind, String(name));
}

function byUri(catalog: Catalog, uri: unknown): Route {
  const route = typeof uri === 'string' ? routeResource(catalog, uri) : undefined;
  if (!route) throw new ForwardedError(-32002, `Resource not found: ${String(uri)}`, { uri });
  return route;
}

/**
 * Sends one request upstream with everything that belongs to it: progress (when the client
 * gave a progressToken, the SDK sends the upstream a token of its own, unique on the
 * connection, which a shared upstream needs; progress comes back under the client's token),
 * cancellation (the SDK tells the upstream, with its own request id), and a context so that
 * the upstream's logs and requests during the call travel back on the call's own stream.
 * `catalog` is the one the route came from: result URIs are exposed by it too. `via` names
 * the meta-tool (call_tool) the client called, when `params` are of the tool it named.
 */
async function forward(session: ClientSession, extra: Extra, method: string, params: Params, route: Route, catalog?: Catalog, via?: string): Promise<Result> {
  const connection = await session.connection(route.upstream);
  refuseTaskAcrossEras(session, connection, params);
  let upstreamParams = rename(method, params, route);
  const progressToken = extra.mcpReq._meta?.progressToken;
  const options: RequestOptions = { signal: extra.mcpReq.signal };
  if (method === 'tools/call') options.headers = await upstreamParamHeaders(connection, route.original, upstreamParams.arguments);
  if (progressToken !== undefined) {
    options.onprogress = (progress) =>
      void extra.mcpReq.notify({ method: 'notifications/progress', params: { ...progress, progressToken } }).catch(() => {});
  }
  const context: CallContext = {
    logThreshold: requestLogThreshold(extra.mcpReq.envelope as Record<string, unknown> | undefined, session.logLevel),
    sendNotification: (notification) => extra.mcpReq.notify(notification as ServerNotification),
    sendRequest: (upstreamRequest, requestOptions) => extra.mcpReq.send(upstreamRequest as ServerRequest, LooseResult, requestOptions),
  };
  if (session.recorder) upstreamParams = recordRoute(session.recorder, extra.mcpReq.id, connection, params, upstreamParams, route, context, via);
  const send: SendUpstream = (sent, sentContext, sentOptions) => session.upstreamCall(connection, { method, params: sent }, { ...options, ...sentOptions }, sentContext);
  const result = await callUpstream(session, extra, method, connection, upstreamParams, context, send);
  // A round of a multi round-trip request goes to the client as it is.
  if (isInputRequiredResult(result)) return result;
  // A task the upstream created (or reports on) gets the id this client knows it by.
  if (method.startsWith('tasks/') || params.task !== undefined) return exposeTasks(session, route.upstream, result);
  // Resource URIs in what the upstream said become ones this client can read back through us.
  const exposing = catalog ?? (await session.catalog());
  return rewriteResultUris(result, (uri) => exposeUri(exposing, route.upstream, uri)) as Result;
}

/** The params as the upstream knows them: its own name or URI, and the arguments policy pins. */
function rename(method: string, params: Params, route: Route): Params {
  if (method === 'tools/call') return { ...params, name: route.original, arguments: injectPinned(params.arguments, route.pinned) };
  if (method === 'prompts/get') return { ...params, name: route.original };
  if (method === 'resources/read') return { ...params, uri: route.original };
  return params;
}

async function subscription(session: ClientSession, method: string, params: Params): Promise<Result> {
  const uri = params.uri as string;
  const route = byUri(await session.catalog(), uri);
  const connection = await session.connection(route.upstream);
  const upstreamParams = { ...params, uri: route.original };
  if (method === 'resources/subscribe') {
    if (session.subscriptions.has(uri)) return {};
    const result = await connection.subscribe(route.original, upstreamParams);
    session.subscriptions.set(uri, route);
    return result;
  }
  if (!session.subscriptions.delete(uri)) return {};
  return connection.unsubscribe(route.original, upstreamParams);
}

/** completion/complete goes where its ref points: an exposed prompt name, or a resource template URI. */
async function complete(session: ClientSession, extra: Extra, params: Params): Promise<Result> {
  const ref = (params.ref ?? {}) as Params;
  const catalog = await session.catalog();
  if (ref.type === 'ref/prompt') {
    const route = byName(session, catalog.promptRoutes, 'prompt', ref.name);
    return forward(session, extra, 'completion/complete', { ...params, ref: { ...ref, name: route.original } }, route, catalog);
  }
  if (ref.type === 'ref/resource' && typeof ref.uri === 'string') {
    const route = routeTemplate(catalog, ref.uri) ?? routeResource(catalog, ref.uri);
    if (!route) throw new ForwardedError(-32002, `Resource not found: ${ref.uri}`, { uri: ref.uri });
    return forward(session, extra, 'completion/complete', { ...params, ref: { ...ref, uri: route.original } }, route, catalog);
  }
  throw new ForwardedError(ProtocolErrorCode.InvalidParams, `completion/complete needs a ref of type ref/prompt or ref/resource`);
}

/** logging/setLevel reaches every upstream of the session that logs. */
async function setLevel(session: ClientSession, level: unknown): Promise<Result> {
  const parsed = LoggingLevelSchema.safeParse(level);
  if (!parsed.success) throw new ForwardedError(ProtocolErrorCode.InvalidParams, `Invalid log level: ${JSON.stringify(level)}`);
  session.logLevel = parsed.data;
  const connections = [...(await session.upstreams()).values()];
  await Promise.allSettled(connections.map((connection) => connection.setLogLevel(parsed.data)));
  return {};
}
