// Adjustments to the parsed document before schema validation, for things the schema itself
// shouldn't know about: another client's key names, and numbers that were env references.
import { CLIENT_SECTIONS } from './clientShapes.js';
import { isPlainMap, valueAt } from './document.js';
import type { EnvExpansion } from './env.js';
import { OPERATION_NUMBER_KEYS } from './operationsSchema.js';
import { REMOTE_LIMIT_NUMBER_KEYS, RESUMPTION_NUMBER_KEYS, SESSION_NUMBER_KEYS } from './lifecycleSchema.js';
import type { ConfigPath, PathProblem } from './problems.js';
import { vconScalarKindAt } from './vconSchema.js';

/** Claude Desktop (and friends) spell the HTTP transport of a `url` server as `type`. */
const TRANSPORT_FOR_TYPE: Record<string, 'streamable-http' | 'sse'> = {
  http: 'streamable-http',
  'streamable-http': 'streamable-http',
  sse: 'sse',
};

/**
 * Rewrites `mcpServers.<name>.type` (and VS Code's `servers.<name>.type`) in place: for a `url`
 * server it becomes `transport`; for anything else it is dropped (a stdio server's `command`
 * already says how to reach it).
 */
export function applyClaudeDesktopTypes(document: unknown, describeValueAt: (path: ConfigPath) => string): PathProblem[] {
  return CLIENT_SECTIONS.flatMap((section) => applyTypesIn(section, isPlainMap(document) ? document[section] : undefined, describeValueAt));
}

function applyTypesIn(section: string, servers: unknown, describeValueAt: (path: ConfigPath) => string): PathProblem[] {
  if (!isPlainMap(servers)) return [];

  const problems: PathProblem[] = [];
  for (const [name, server] of Object.entries(servers)) {
    if (!isPlainMap(server) || !('type' in server)) continue;
    const path = [section, name, 'type'];
    const shownType = describeValueAt(path); // before `type` is removed from the document
    const { type, ...rest } = server;
    servers[name] = rest;
    if (!('url' in server) || 'command' in server) continue;

    const transport = typeof type === 'string' ? TRANSPORT_FOR_TYPE[type] : undefined;
    if (!transport) {
      const accepted = Object.keys(TRANSPORT_FOR_TYPE).map((key) => JSON.stringify(key)).join(', ');
      problems.push({ path, message: `expected one of ${accepted} for a server with \`url\`, got ${shownType}` });
    } else if (rest.transport !== undefined && rest.transport !== transport) {
      problems.push({ path, message: 'conflicts with `transport`: give only one of them' });
    } else {
      rest.transport = transport;
    }
  }
  return problems;
}

/**
 * After expansion, `port: ${PORT}` holds the string "8080". Where the schema wants a number or a
 * boolean, an expanded string that spells one is converted in place. Only expanded values are
 * touched (a literal `port: "8080"` is still a type error), and only at these known places: an
 * env map value or an arg that looks like a number stays a string.
 */
export function coerceExpandedScalars(document: unknown, expansions: readonly EnvExpansion[]): void {
  for (const { path } of expansions) {
    const kind = scalarKindAt(path);
    const parent = valueAt(document, path.slice(0, -1));
    const key = path.at(-1);
    if (!kind || !isPlainMap(parent) || typeof key !== 'string') continue;

    const text = parent[key];
    if (kind === 'number' && typeof text === 'string' && /^\d+$/.test(text)) parent[key] = Number(text);
    if (kind === 'boolean' && (text === 'true' || text === 'false')) parent[key] = text === 'true';
  }
}

function scalarKindAt(path: ConfigPath): 'number' | 'boolean' | undefined {
  const [section, , field] = path;
  if (section === 'vcon') return vconScalarKindAt(path);
  if (path.length === 2 && section === 'server' && (path[1] === 'port' || path[1] === 'pageSize')) return 'number';
  if (path.length === 2 && section === 'server' && (isOneOf(path[1], SESSION_NUMBER_KEYS) || path[1] === 'shutdownGraceMs')) return 'number';
  if (path.length === 3 && section === 'server' && path[1] === 'resumption' && isOneOf(field, RESUMPTION_NUMBER_KEYS)) return 'number';
  if (section === 'server' && path[1] === 'limits' && path.length >= 3) return 'number'; // every limit, rateLimit's too
  if (path.length === 3 && section === 'server' && path[1] === 'auth' && field === 'allowAnonymous') return 'boolean';
  if (path.length === 2 && section === 'naming' && path[1] === 'maxLength') return 'number';
  if (section !== 'upstreams' && section !== 'mcpServers' && section !== 'servers') return undefined;
  // restart.maxFailures, healthCheck.intervalMs, ...
  if (path.length === 4 && (field === 'restart' || field === 'healthCheck') && isOneOf(path[3], OPERATION_NUMBER_KEYS)) return 'number';
  if (path.length !== 3) return undefined;
  if (field === 'timeoutMs' || field === 'maxConcurrent' || field === 'spares' || isOneOf(field, REMOTE_LIMIT_NUMBER_KEYS)) return 'number';
  if (field === 'shared' || field === 'enabled' || field === 'required') return 'boolean';
  return undefined;
}

const isOneOf = (key: string | number | undefined, keys: readonly string[]) => typeof key === 'string' && keys.includes(key);
