// Tool search's pure parts: words from identifiers, settings merged per profile, the search
// view (what is listed, found, callable), the checks on search_tools and call_tool, and the
// dynamic exposure's least-recently-used list.
import assert from 'node:assert/strict';
import { perConnectionLists, touch } from '../../src/toolSearch/exposure.js';
import { callRequest, searchRequest } from '../../src/toolSearch/requests.js';
import { nameAction, queryAction } from '../../src/toolSearch/actions.js';
import { documentOf } from '../../src/toolSearch/documents.js';
import { buildIndex, DEFAULT_RANKING, search } from '../../src/toolSearch/ranking.js';
import { toolSearchSettings } from '../../src/toolSearch/settings.js';
import { words } from '../../src/toolSearch/text.js';
import { defaultThesaurus } from '../../src/toolSearch/thesaurus.js';
import { allowedByAnnotations, listedTools, searchViewOf } from '../../src/toolSearch/view.js';

const TOOLS = [
  { name: 'fs__list_directory', description: 'List the files and directories in a path.', inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] }, annotations: { readOnlyHint: true } },
  { name: 'fs__write_file', description: 'Write a file.', inputSchema: { type: 'object', properties: { path: { type: 'string' }, content: { type: 'string' } } }, annotations: { readOnlyHint: false, destructiveHint: true } },
  { name: 'mem__delete_entities', description: 'Delete entities from the knowledge graph.', inputSchema: { type: 'object', properties: {} }, annotations: { destructiveHint: true } },
  { name: 'gh__create_issue', description: 'Create a new issue in a GitHub repository.', inputSchema: { type: 'object', properties: { title: { type: 'string' } } } },
  { name: 'ev__get-sum', description: 'Returns the sum of two numbers', inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] } },
];

const settings = (overrides: object = {}) => ({ ...toolSearchSettings({ toolSearch: { enabled: true }, profiles: {} }), ...overrides });
const viewOf = (overrides: object = {}) => searchViewOf(TOOLS, (name) => ({ name: name.split('__')[0] }), settings(overrides), defaultThesaurus());
const first = (query: string, overrides: object = {}) => {
  const found = searchRequest(viewOf(overrides), { query });
  return 'ok' in found ? found.ok[0]?.name : found.error;
};

describe('tool search (pure parts)', () => {
  it('splits identifiers into words', () => {
    assert.deepEqual(words('getFileContents'), ['get', 'file', 'contents']);
    assert.deepEqual(words('fs__list_directory'), ['fs', 'list', 'directory']);
    assert.deepEqual(words('API-retrieve-a-page'), ['api', 'retrieve', 'a', 'page']);
    assert.deepEqual(words('HTTPServer'), ['http', 'server']);
  });

  it('merges a profile’s toolSearch over the top level key by key, over the defaults', () => {
    const config = { toolSearch: { enabled: true, pinned: ['a*'], maxResults: 5 }, profiles: { p: { toolSearch: { maxResults: 3, callTool: { allow: ['readOnly' as const] } } } } };
    assert.deepEqual(toolSearchSettings(config, 'p'), { enabled: true, pinned: ['a*'], maxResults: 3, expose: 'meta', allow: ['readOnly'] });
    assert.deepEqual(toolSearchSettings(config), { enabled: true, pinned: ['a*'], maxResults: 5, expose: 'meta', allow: ['any'] });
    assert.equal(toolSearchSettings({ toolSearch: {}, profiles: {} }).enabled, false);
  });

  it('gates by annotations, absent hints meaning what the spec says', () => {
    const readOnly = { name: 'r', annotations: { readOnlyHint: true } };
    const additive = { name: 'a', annotations: { destructiveHint: false } };
    const bare = { name: 'b' };
    assert.deepEqual([readOnly, additive, bare].map((t) => allowedByAnnotations(t, { allow: ['readOnly'] })), [true, false, false]);
    assert.deepEqual([readOnly, additive, bare].map((t) => allowedByAnnotations(t, { allow: ['nonDestructive'] })), [true, true, false]);
    assert.deepEqual([readOnly, additive, bare].map((t) => allowedByAnnotations(t, { allow: ['any'] })), [true, true, true]);
  });

  it('lists the meta-tools and the pinned tools, then the exposed ones that may be called', () => {
    const view = viewOf({ pinned: ['fs__*'], allow: ['readOnly'] });
    assert.deepEqual(listedTools(view).map((t) => t.name), ['search_tools', 'call_tool', 'fs__list_directory', 'fs__write_file']);
    assert.deepEqual(listedTools(view, ['ev__get-sum', 'mem__delete_entities', 'gone']).map((t) => t.name).slice(4), []);
    assert.deepEqual(listedTools(viewOf(), ['ev__get-sum', 'gone']).map((t) => t.name), ['search_tools', 'call_tool', 'ev__get-sum']);
  });

  it('bridges the words people use: folder → directory, ticket → issue, forget → delete', () => {
    assert.equal(first('what is in this folder'), 'fs__list_directory');
    assert.equal(first('open a ticket'), 'gh__create_issue');
    assert.equal(first('forget entities'), 'mem__delete_entities');
    assert.equal(first('add two numbers'), 'ev__get-sum');
  });

  it('reads the action a query asks for and the one a tool name does, past any server prefix', () => {
    assert.equal(queryAction('open a ticket'), 'create');
    assert.equal(queryAction('please forget Bob'), 'delete');
    assert.equal(queryAction('what is in this folder'), undefined);
    assert.equal(nameAction('gh__create_issue', new Set(['gh'])), 'create');
    assert.equal(nameAction('maps__maps_search_places', new Set(['maps'])), 'search');
    assert.equal(nameAction('notion__API-post-page', new Set(['notion'])), 'create');
    assert.equal(nameAction('ev__echo', new Set(['ev'])), undefined);
  });

  it('puts the sibling whose name does the asked action first, and only with the factor on', () => {
    // Same words but the verb: without the factor the shorter get_issue wins on length.
    const siblings = [
      documentOf({ name: 'gh__get_issue', description: 'Get an issue' }, { name: 'gh' }),
      documentOf({ name: 'gh__create_issue', description: 'Create an issue in a repository' }, { name: 'gh' }),
    ];
    const firstOf = (actionBoost: number) => search(buildIndex(siblings, { stemming: true, actionBoost }), 'make an issue', 2)[0].document.name;
    assert.equal(firstOf(1), 'gh__get_issue');
    assert.equal(firstOf(DEFAULT_RANKING.actionBoost!), 'gh__create_issue');
  });

  it('lowers a tool that matches only some of the query words, by the share it matches, with coordination on', () => {
    const tools = [
      documentOf({ name: 'a__tags', description: 'tags tags tags tags' }, { name: 'a' }),
      documentOf({ name: 'a__label_photos', description: 'label photos with tags' }, { name: 'a' }),
      documentOf({ name: 'a__other', description: 'photos' }, { name: 'a' }),
    ];
    const scoreOf = (coordination: number, name: string) => search(buildIndex(tools, { stemming: true, coordination }), 'tags photos', 3).find((hit) => hit.document.name === name)!.score;
    const without = scoreOf(0, 'a__tags') / scoreOf(0, 'a__label_photos');
    const withIt = scoreOf(0.25, 'a__tags') / scoreOf(0.25, 'a__label_photos');
    assert.ok(withIt < without, `a partial match loses ground: ${withIt} < ${without}`);
    assert.ok(Math.abs(withIt / without - 0.5 ** 0.25) < 1e-9, 'by (1 of 2 words) ^ 0.25');
  });

  it('never finds what callTool.allow refuses, unless pinned', () => {
    const found = (overrides: object) => {
      const result = searchRequest(viewOf(overrides), { query: 'delete entities', limit: 8 });
      return 'ok' in result ? result.ok.map((t) => t.name) : [];
    };
    assert.ok(!found({ allow: ['readOnly'] }).includes('mem__delete_entities'));
    assert.ok(found({ allow: ['readOnly'], pinned: ['mem__*'] }).includes('mem__delete_entities'));
  });

  it('checks search_tools arguments', () => {
    const view = viewOf();
    assert.match((searchRequest(view, {}) as { error: string }).error, /needs a `query`/);
    assert.match((searchRequest(view, { query: 'x'.repeat(1001) }) as { error: string }).error, /at most 1000/);
    assert.match((searchRequest(view, { query: 'sum', limit: 2.5 }) as { error: string }).error, /whole number/);
    assert.equal((searchRequest(view, { query: 'file', limit: 1 }) as { ok: unknown[] }).ok.length, 1);
  });

  it('checks call_tool arguments with errors a model can act on', () => {
    const view = viewOf({ allow: ['nonDestructive'] });
    const error = (args: unknown, found = new Set<string>()) => (callRequest(view, args, found) as { error: string }).error;
    assert.match(error({ name: 'fs__list_dir' }), /No tool named "fs__list_dir".*Similar names: fs__list_directory/);
    assert.match(error({ name: 'old__tool' }, new Set(['old__tool'])), /no longer offered/);
    assert.match(error({ name: 'fs__write_file', arguments: {} }), /may not be called here.*nonDestructive/);
    const any = viewOf();
    const anyError = (args: unknown) => (callRequest(any, args, new Set()) as { error: string }).error;
    assert.match(anyError({ name: 'ev__get-sum', arguments: { a: 1, b: '2' } }), /`b` must be number/);
    assert.match(anyError({ name: 'ev__get-sum', arguments: 'a=1' }), /must be an object/);
    assert.deepEqual(callRequest(any, { name: 'ev__get-sum', arguments: { a: 1, b: 2 } }, new Set()), { ok: { name: 'ev__get-sum', arguments: { a: 1, b: 2 } } });
  });

  it('keeps the most recently used exposed tools, within the bound', () => {
    const exposed: string[] = [];
    assert.equal(touch(exposed, ['a', 'b', 'c'], 3), true);
    assert.equal(touch(exposed, ['a'], 3), false, 'the same set: no list_changed');
    assert.deepEqual(exposed, ['b', 'c', 'a']);
    assert.equal(touch(exposed, ['d'], 3), true);
    assert.deepEqual(exposed, ['c', 'a', 'd']);
  });

  it('allows per-connection lists before the 2026-07-28 era only', () => {
    assert.equal(perConnectionLists('2025-11-25'), true);
    assert.equal(perConnectionLists('2026-07-28'), false);
  });
});
