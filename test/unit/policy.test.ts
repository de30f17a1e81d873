// Policy as a pure transformation: globs, renames, descriptions, pinned arguments, valid and
// stable names, collisions, namespaced duplicate URIs and the rewrite of URIs in results.
import type { Prompt, Resource, ResourceTemplateType, Tool } from '@modelcontextprotocol/server';
import assert from 'node:assert/strict';
import { buildCatalog, exposeUri, plainOptions, routeResource, type CatalogOptions } from '../../src/catalog/catalog.js';
import type { UpstreamListing } from '../../src/catalog/listing.js';
import { isValidName, validName } from '../../src/catalog/names.js';
import { compileFilter, globProblem, injectPinned, pinInputSchema } from '../../src/catalog/policy.js';
import { namespacedUri, parseNamespacedUri, rewriteResultUris } from '../../src/catalog/uris.js';
import type { Policy } from '../../src/config/policySchema.js';
import { viewAtPath } from '../../src/downstream/profilePaths.js';

const tool = (name: string, extra: Record<string, unknown> = {}): Tool => ({ name, inputSchema: { type: 'object' }, ...extra }) as Tool;
const prompt = (name: string): Prompt => ({ name });
const resource = (uri: string): Resource => ({ uri, name: uri });
const template = (uriTemplate: string): ResourceTemplateType => ({ uriTemplate, name: uriTemplate });

function listing(upstream: string, namespace: string, items: Partial<Omit<UpstreamListing, 'upstream' | 'namespace'>> = {}): UpstreamListing {
  return { upstream, namespace, tools: [], prompts: [], resources: [], resourceTemplates: [], ...items };
}

function options(upstreamPolicies: Record<string, Policy> = {}, viewPolicies: Policy[] = [], naming: Partial<CatalogOptions['naming']> = {}): CatalogOptions {
  return { ...plainOptions(), naming: { ...plainOptions().naming, ...naming }, upstreamPolicies: new Map(Object.entries(upstreamPolicies)), viewPolicies };
}

const names = (items: Array<{ name: string }>) => items.map((i) => i.name);

describe('globs', () => {
  it('match *, ? and [abc] against whole names; `*` crosses / and . (URIs)', () => {
    const allowed = compileFilter({ allow: ['get_*', 'echo?', 'sum-[ab]', 'demo://static/*'] });
    assert.deepEqual(
      ['get_sum', 'get_', 'echo1', 'echo', 'echo12', 'sum-a', 'sum-c', 'demo://static/doc/1.txt', 'xget_sum'].filter(allowed),
      ['get_sum', 'get_', 'echo1', 'sum-a', 'demo://static/doc/1.txt'],
    );
  });

  it('block wins over allow; no allow list allows everything', () => {
    assert.deepEqual(['a1', 'a2', 'b1'].filter(compileFilter({ allow: ['a*'], block: ['a2'] })), ['a1']);
    assert.deepEqual(['a1', 'a2', 'b1'].filter(compileFilter({ block: ['a*'] })), ['b1']);
    assert.deepEqual(['a1'].filter(compileFilter(undefined)), ['a1']);
    assert.deepEqual(['a1'].filter(compileFilter({ allow: [] })), [], 'an empty allow list allows nothing');
  });

  it('reports an unbalanced bracket as invalid and accepts ordinary patterns', () => {
    assert.match(globProblem('tool[') ?? '', /./);
    assert.equal(globProblem('get_*'), undefined);
    assert.equal(globProblem('[ab]?'), undefined);
  });
});

describe('valid names', () => {
  it('replaces characters clients reject and keeps valid names as they are', () => {
    assert.equal(validName('ev__get-sum_2', 64), 'ev__get-sum_2');
    assert.equal(validName('fs:read.file', 64), 'fs_read_file');
  });

  it('shortens a long name to maxLength with a stable hash, keeping its tail readable', () => {
    const long = `${'n'.repeat(60)}__echo`;
    const short = validName(long, 64);
    assert.equal(short.length, 64);
    assert.ok(isValidName(short, 64));
    assert.equal(short, validName(long, 64), 'the same input gives the same name');
    assert.match(short, /_[0-9a-f]{8}_n+__echo$/);
    assert.notEqual(validName(`${'n'.repeat(60)}__add`, 64), short, 'different names stay different');
    assert.equal(validName(long, 20).length, 20);
    // A fixed expectation: stable across machines and releases (SHA-256 of the name).
    assert.equal(validName('x'.repeat(70), 32), 'xxxxxxxx_c71bd109_xxxxxxxxxxxxxx');
  });
});

describe('policy in the catalog', () => {
  const everything = listing('everything', 'ev', {
    tools: [tool('echo'), tool('add'), tool('printEnv'), tool('longRunning')],
    prompts: [prompt('simple'), prompt('complex')],
    resources: [resource('demo://static/1'), resource('demo://secret/1')],
    resourceTemplates: [template('demo://static/{id}'), template('demo://secret/{id}')],
  });

  it('filters each upstream on its original names, and the view on exposed names', () => {
    const catalog = buildCatalog(
      [everything],
      options(
        { everything: { tools: { block: ['printEnv'] }, prompts: { allow: ['simple'] }, resources: { block: ['demo://secret/*'] } } },
        [{ tools: { block: ['ev__long*'] } }],
      ),
    );
    assert.deepEqual(names(catalog.tools), ['ev__echo', 'ev__add']);
    assert.deepEqual(names(catalog.prompts), ['ev__simple']);
    assert.deepEqual(catalog.resources.map((r) => r.uri), ['demo://static/1']);
    assert.deepEqual(catalog.resourceTemplates.map((t) => t.uriTemplate), ['demo://static/{id}']);
    assert.equal(catalog.toolRoutes.get('ev__printEnv'), undefined, 'a blocked tool has no route');
    assert.equal(routeResource(catalog, 'demo://secret/2'), undefined, 'a blocked URI is not reachable by template either');
    assert.deepEqual(routeResource(catalog, 'demo://static/2'), { upstream: 'everything', original: 'demo://static/2' });
  });

  it('renames exactly as written, overrides descriptions, and renames again in a view', () => {
    const catalog = buildCatalog(
      [everything],
      options(
        { everything: { tools: { rename: { echo: 'say' }, describe: { add: 'Adds two numbers.' } }, prompts: { rename: { simple: 'hello' } } } },
        [{ tools: { rename: { ev__add: 'plus' }, describe: { say: 'Repeats you.' } } }],
      ),
    );
    assert.deepEqual(names(catalog.tools), ['say', 'plus', 'ev__printEnv', 'ev__longRunning']);
    assert.equal(catalog.tools[0].description, 'Repeats you.');
    assert.equal(catalog.tools[1].description, 'Adds two numbers.');
    assert.deepEqual(catalog.toolRoutes.get('plus'), { upstream: 'everything', original: 'add' });
    assert.deepEqual(names(catalog.prompts), ['hello', 'ev__complex']);
  });

  it('hides pinned arguments from the schema and routes them for injection', () => {
    const files = listing('files', 'fs', {
      tools: [tool('list', { inputSchema: { type: 'object', properties: { path: { type: 'string' }, depth: { type: 'number' } }, required: ['path', 'depth'] } })],
    });
    const catalog = buildCatalog([files], options({ files: { tools: { arguments: { list: { path: '/srv', nope: 1 } } } } }));
    assert.deepEqual(catalog.tools[0].inputSchema, { type: 'object', properties: { depth: { type: 'number' } }, required: ['depth'] });
    assert.deepEqual(catalog.toolRoutes.get('fs__list'), { upstream: 'files', original: 'list', pinned: { path: '/srv', nope: 1 } });
    assert.ok(catalog.notes.some((n) => /tool list of files has no argument nope to pin/.test(n)), catalog.notes.join('\n'));
    const typo = buildCatalog([files], options({ files: { tools: { rename: { lsit: 'ls' } } } }));
    assert.deepEqual(typo.notes, ['rename names lsit, which upstream files does not offer']);
    assert.deepEqual(injectPinned({ path: '/etc', depth: 2 }, { path: '/srv' }), { path: '/srv', depth: 2 }, 'the pinned value wins');
    assert.deepEqual(injectPinned(undefined, { path: '/srv' }), { path: '/srv' });
    assert.deepEqual(pinInputSchema({ properties: {} }, {}), { properties: {} });
  });

  it('gives long namespaced names valid, distinct, stable names that route back', () => {
    const namespace = 'a'.repeat(60);
    const catalog = buildCatalog([listing('long', namespace, { tools: [tool('echo'), tool('add')] })], plainOptions());
    const [echo, add] = names(catalog.tools);
    assert.ok(isValidName(echo, 64) && isValidName(add, 64), `${echo} ${add}`);
    assert.notEqual(echo, add);
    assert.deepEqual(catalog.toolRoutes.get(echo), { upstream: 'long', original: 'echo' });
    assert.deepEqual(names(buildCatalog([listing('long', namespace, { tools: [tool('echo'), tool('add')] })], plainOptions()).tools), [echo, add]);
  });
});

describe('collisions', () => {
  const twins = [listing('one', '', { tools: [tool('echo')] }), listing('two', '', { tools: [tool('echo')] })];

  it('suffix (default): the later one gets a valid qualified name and a note naming both sources', () => {
    const catalog = buildCatalog(twins, plainOptions());
    assert.deepEqual(names(catalog.tools), ['echo', 'two__echo']);
    assert.deepEqual(catalog.collisions, []);
    assert.match(catalog.notes[0], /tool echo of upstream one \(echo\) and of upstream two \(echo\)/);
  });

  it('error: the collision is recorded, naming both sources', () => {
    const catalog = buildCatalog(twins, options({}, [], { onCollision: 'error' }));
    assert.equal(catalog.collisions.length, 1);
    assert.match(catalog.collisions[0], /tool echo of upstream one \(echo\) and of upstream two \(echo\)/);
  });

  it('a collision appearing at run time keeps the name a client already has', () => {
    const before = buildCatalog([listing('one', '', { tools: [] }), listing('two', '', { tools: [tool('echo')] })], plainOptions());
    const after = buildCatalog(twins, { ...plainOptions(), previous: before });
    assert.deepEqual(after.toolRoutes.get('echo'), { upstream: 'two', original: 'echo' }, 'two keeps echo');
    assert.deepEqual(after.toolRoutes.get('one__echo'), { upstream: 'one', original: 'echo' });
    assert.deepEqual(names(after.tools), ['one__echo', 'echo'], 'still listed in config order');
  });

  it('renames that meet in a view collide like any other names', () => {
    const catalog = buildCatalog(
      [listing('a', 'a', { tools: [tool('x')] }), listing('b', 'b', { tools: [tool('y')] })],
      options({}, [{ tools: { rename: { a__x: 'same', b__y: 'same' } } }]),
    );
    assert.deepEqual(names(catalog.tools), ['same', 'b__same']);
  });
});

describe('resource URIs', () => {
  const a = listing('a', 'a', { resources: [resource('demo://static/1')], resourceTemplates: [template('demo://dyn/{id}')] });
  const b = listing('b', 'b', { resources: [resource('demo://static/1')], resourceTemplates: [template('demo://dyn/{id}')] });
  const catalog = buildCatalog([a, b], plainOptions());

  it('round-trips namespaced URIs, which stay valid URIs', () => {
    const uri = namespacedUri('my server', 'demo://x/1?q=a b');
    assert.doesNotThrow(() => new URL(uri));
    assert.deepEqual(parseNamespacedUri(uri), { upstream: 'my server', original: 'demo://x/1?q=a b' });
    assert.equal(parseNamespacedUri('demo://x'), undefined);
  });

  it('exposes what the later upstream returns so that it reads back from that upstream', () => {
    const exposed = exposeUri(catalog, 'b', 'demo://dyn/7');
    assert.equal(exposed, 'mcproxy://b/demo%3A%2F%2Fdyn%2F7');
    assert.deepEqual(routeResource(catalog, exposed), { upstream: 'b', original: 'demo://dyn/7' });
    assert.equal(exposeUri(catalog, 'a', 'demo://dyn/7'), 'demo://dyn/7', 'the first owner keeps plain URIs');
    assert.equal(exposeUri(catalog, 'b', 'https://example.com/x'), 'https://example.com/x', 'URIs nobody serves pass');
    assert.equal(routeResource(catalog, 'mcproxy://b/other%3A%2F%2Fx'), undefined, 'only what b offers is routed to b');
  });

  it('rewrites resource links, embedded resources and read contents, and nothing else', () => {
    const result = {
      content: [
        { type: 'text', text: 'demo://dyn/1' },
        { type: 'resource_link', uri: 'demo://dyn/1', name: 'one' },
        { type: 'resource', resource: { uri: 'demo://dyn/2', text: 'two' } },
      ],
      structuredContent: { uri: 'demo://dyn/3', text: 'kept' },
      contents: [{ uri: 'demo://dyn/4', mimeType: 'text/plain', text: 'four' }],
      messages: [{ role: 'user', content: { type: 'resource', resource: { uri: 'demo://dyn/5', blob: 'AA==' } } }],
    };
    const rewritten = rewriteResultUris(result, (uri) => `x:${uri}`) as typeof result;
    assert.equal(rewritten.content[0].text, 'demo://dyn/1');
    assert.equal((rewritten.content[1] as { uri: string }).uri, 'x:demo://dyn/1');
    assert.equal((rewritten.content[2] as { resource: { uri: string } }).resource.uri, 'x:demo://dyn/2');
    assert.equal(rewritten.structuredContent.uri, 'demo://dyn/3');
    assert.equal(rewritten.contents[0].uri, 'x:demo://dyn/4');
    assert.equal(rewritten.messages[0].content.resource.uri, 'x:demo://dyn/5');
    assert.equal(result.content[1].uri, 'demo://dyn/1', 'the input is not mutated');
  });
});

describe('profile paths', () => {
  it('serves the default view at the path and each profile below it; nothing else', () => {
    assert.deepEqual(viewAtPath('/mcp', '/mcp', ['dev']), {});
    assert.deepEqual(viewAtPath('/mcp/dev', '/mcp', ['dev']), { profile: 'dev' });
    assert.equal(viewAtPath('/mcp/ops', '/mcp', ['dev']), undefined);
    assert.equal(viewAtPath('/other', '/mcp', ['dev']), undefined);
    assert.equal(viewAtPath('/mcp/dev/x', '/mcp', ['dev']), undefined);
  });
});
