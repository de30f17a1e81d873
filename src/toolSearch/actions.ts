// The action a query asks for and the action a tool's name says it does ("open a ticket" asks
// to create; create_issue creates, get_issue reads). Sibling tools share every other word, so
// BM25 alone cannot tell them apart; matching the action can.
import { words } from './text.js';

export type Action = 'create' | 'delete' | 'search' | 'read' | 'list' | 'update' | 'run';

/** Words of a request that ask for an action: the first one in the query wins. */
const QUERY_ACTIONS: Record<string, Action> = {};
/** Words a tool's name starts its action with (after any server prefix such as maps_ or API-). */
const NAME_ACTIONS: Record<string, Action> = {};

function define(table: Record<string, Action>, action: Action, list: string): void {
  for (const word of list.split(' ')) table[word] = action;
}
define(QUERY_ACTIONS, 'create', 'create add new make open post insert');
define(QUERY_ACTIONS, 'delete', 'remove delete forget drop erase');
define(QUERY_ACTIONS, 'search', 'find search look lookup');
define(QUERY_ACTIONS, 'read', 'read get show fetch retrieve view');
define(QUERY_ACTIONS, 'list', 'list all enumerate');
define(QUERY_ACTIONS, 'update', 'update edit change rename modify');
define(QUERY_ACTIONS, 'run', 'run execute trigger start');
define(NAME_ACTIONS, 'create', 'create add post new insert');
define(NAME_ACTIONS, 'delete', 'delete remove');
define(NAME_ACTIONS, 'search', 'search find');
define(NAME_ACTIONS, 'read', 'get read retrieve fetch show');
define(NAME_ACTIONS, 'list', 'list');
define(NAME_ACTIONS, 'update', 'update edit patch modify');
define(NAME_ACTIONS, 'run', 'run execute exec trigger start');

function firstAction(list: readonly string[], table: Record<string, Action>): Action | undefined {
  for (const word of list) if (Object.hasOwn(table, word)) return table[word];
  return undefined;
}

/** What the query asks to do, if it says so with a verb of the table. */
export function queryAction(query: string): Action | undefined {
  return firstAction(words(query), QUERY_ACTIONS);
}

/** What a tool does by its name: the first action word of its own name, past the upstream's namespace. */
export function nameAction(exposedName: string, upstreamWords: ReadonlySet<string>): Action | undefined {
  return firstAction(words(exposedName).filter((word) => !upstreamWords.has(word)), NAME_ACTIONS);
}
