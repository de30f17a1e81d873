// search_tools and call_tool arguments checked against the search view: either what to do
// or an error a model can act on (what was wrong and what to do instead). Pure: the session
// forwards a checked call through the router like any other tools/call.
import { Ajv, type ValidateFunction } from 'ajv';
import { CALL_TOOL, MAX_QUERY_LENGTH, SEARCH_TOOLS } from './metaTools.js';
import { search } from './ranking.js';
import { terms } from './text.js';
import { findTools, mayCall, type Found, type SearchView } from './view.js';

export type Checked<T> = { ok: T } | { error: string };

type Args = Record<string, unknown>;

const isObject = (value: unknown): value is Args => value !== null && typeof value === 'object' && !Array.isArray(value);

/** search_tools(query, limit?) → the tools found, best first. */
export function searchRequest(view: SearchView, args: unknown): Checked<Found[]> {
  const { query, limit } = isObject(args) ? args : {};
  if (typeof query !== 'string' || query.trim() === '') {
    return { error: 'search_tools needs a `query`: a few words saying what you want to do, e.g. {"query": "add two numbers"}.' };
  }
  if (query.length > MAX_QUERY_LENGTH) {
    return { error: `The query is ${query.length} characters long; search_tools takes at most ${MAX_QUERY_LENGTH}. Say what you want to do in a few words.` };
  }
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)) {
    return { error: `\`limit\` must be a whole number from 1 to ${view.settings.maxResults}; leave it out for ${view.settings.maxResults}.` };
  }
  if (terms(query).length === 0) {
    return { error: `"${query}" has no words to search for. Say what you want to do, e.g. "list files in a folder".` };
  }
  return { ok: findTools(view, query, Math.min(limit ?? view.settings.maxResults, view.settings.maxResults)) };
}

/** call_tool(name, arguments) → the exposed name and arguments to call it with. */
export function callRequest(view: SearchView, args: unknown, foundBefore: ReadonlySet<string>): Checked<{ name: string; arguments: Args }> {
  const { name, arguments: given } = isObject(args) ? args : {};
  if (typeof name !== 'string' || name === '') {
    return { error: 'call_tool needs `name`, a tool name exactly as search_tools gave it, and `arguments` for that tool.' };
  }
  if (name === SEARCH_TOOLS || name === CALL_TOOL) {
    if (!view.tools.has(name)) return { error: `${name} is called directly, not through call_tool.` };
  }
  if (!view.tools.has(name)) {
    if (foundBefore.has(name)) {
      return { error: `Tool "${name}" is no longer offered: the tools changed since your search. Search again with search_tools.` };
    }
    const near = search(view.index, name, 3).map((hit) => hit.document.name);
    const hint = near.length > 0 ? ` Similar names: ${near.join(', ')}.` : '';
    return { error: `No tool named "${name}" here. Names are exact: use one that search_tools returned.${hint}` };
  }
  if (!mayCall(view, name)) {
    return {
      error: `Tool "${name}" may not be called here: this server lets call_tool call only ${view.settings.allow.join(' or ')} tools, and its annotations say it can change or delete things.`,
    };
  }
  if (given !== undefined && !isObject(given)) {
    return { error: `\`arguments\` must be an object of ${name}'s arguments by name, e.g. {"name": "${name}", "arguments": {...}}.` };
  }
  const toolArgs = given ?? {};
  const problems = schemaProblems((view.tools.get(name) as { inputSchema?: object }).inputSchema, toolArgs);
  if (problems) {
    return { error: `The arguments do not match ${name}'s input schema: ${problems}. Its input schema: ${JSON.stringify((view.tools.get(name) as { inputSchema?: object }).inputSchema)}` };
  }
  return { ok: { name, arguments: toolArgs } };
}

// strict: false: tools use keywords and formats ajv does not know; those are left to the tool.
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const validators = new WeakMap<object, ValidateFunction | null>();

/** What is wrong with the arguments, in words; undefined when they fit (or the schema cannot be compiled: the tool judges then). */
export function schemaProblems(schema: object | undefined, args: Args): string | undefined {
  if (!schema) return undefined;
  let validate = validators.get(schema);
  if (validate === undefined) {
    try {
      // Draft 2020-12 and draft-07 agree on what tool schemas use; ajv knows draft-07 only.
      const { $schema: _ignored, ...rest } = schema as { $schema?: unknown };
      validate = ajv.compile(rest);
    } catch {
      validate = null;
    }
    validators.set(schema, validate);
  }
  if (!validate || validate(args)) return undefined;
  return (validate.errors ?? [])
    .slice(0, 5)
    .map((error) => {
      const at = error.instancePath ? `\`${error.instancePath.slice(1).replaceAll('/', '.')}\`` : 'the arguments';
      if (error.keyword === 'required') return `missing required argument \`${(error.params as { missingProperty: string }).missingProperty}\``;
      if (error.keyword === 'additionalProperties') return `unknown argument \`${(error.params as { additionalProperty: string }).additionalProperty}\``;
      return `${at} ${error.message}`;
    })
    .join('; ');
}
