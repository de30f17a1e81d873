// The aggregated catalog: naming, collisions, pass-through of fields the proxy doesn't know,
// and routing of resource URIs and templates. Pure functions, no I/O.
import type { Prompt, Resource, ResourceTemplateType, Tool } from '@modelcontextprotocol/server';
import assert from 'node:assert/strict';
import { buildCatalog, plainOptions, routeResource, routeTemplate } from '../../src/catalog/catalog.js';
import type { UpstreamListing } from '../../src/catalog/listing.js';

const tool = (name: string, extra: Record<string, unknown> = {}): Tool => ({ name, inputSchema: { type: 'object' }, ...extra }) as Tool;
const prompt = (name: string, extra: Record<string, unknown> = {}): Prompt => ({ name, ...extra }) as Prompt;
const resource = (uri: string, name = uri): Resource => ({ uri, name });
const template = (uriTemplate: string, name = uriTemplate): ResourceTemplateType => ({ uriTemplate, name });

function listing(upstream: string, namespace: string, items: Partial<Omit<UpstreamListing, 'upstream' | 'namespace'>> = {}): UpstreamListing {
  return { upstream, namespace, tools: [], prompts: [], resources: [], resourceTemplates: [], ...items };
}

describe('buildCatalog', () => {
  it('prefixes tool and prompt names with the namespace and the separator', () => {
    const catalog = buildCatalog(
      [
        listing('everything', 'ev', { tools: [tool('echo'), tool('add')], prompts: [prompt('simple')] }),
        listing('memory', 'mem', { tools: [tool('read_graph')] }),
      ],
      plainOptions(),
    );
    assert.deepEqual(
      catalog.tools.map((t) => t.name),
      ['ev__echo', 'ev__add', 'mem__read_graph'],
    );
    assert.deepEqual(
      catalog.prompts.map((p) => p.name),
      ['ev__simple'],
    );
    assert.deepEqual(catalog.toolRoutes.get('ev__echo'), { upstream: 'everything', original: 'echo' });
    assert.deepEqual(catalog.toolRoutes.get('mem__read_graph'), { upstream: 'memory', original: 'read_graph' });
    assert.deepEqual(catalog.promptRoutes.get('ev__simple'), { upstream: 'everything', original: 'simple' });
    assert.deepEqual(catalog.notes, []);
  });

  it('uses the configured separator', () => {
    const catalog = buildCatalog([listing('everything', 'ev', { tools: [tool('echo')], prompts: [prompt('p')] })], plainOptions('-'));
    assert.deepEqual(
      catalog.tools.map((t) => t.name),
      ['ev-echo'],
    );
    assert.deepEqual(
      catalog.prompts.map((p) => p.name),
      ['ev-p'],
    );
    assert.deepEqual(catalog.toolRoutes.get('ev-echo'), { upstream: 'everything', original: 'echo' });
    assert.equal(catalog.toolRoutes.get('ev__echo'), undefined);
  });

  it('keeps bare names for an empty namespace', () => {
    const catalog = buildCatalog([listing('plain', '', { tools: [tool('echo')], prompts: [prompt('greet')] })], plainOptions());
    assert.deepEqual(
      catalog.tools.map((t) => t.name),
      ['echo'],
    );
    assert.deepEqual(
      catalog.prompts.map((p) => p.name),
      ['greet'],
    );
    assert.deepEqual(catalog.toolRoutes.get('echo'), { upstream: 'plain', original: 'echo' });
  });

  it('on a collision between two upstreams without namespace, keeps the first and qualifies the second', () => {
    const catalog = buildCatalog(
      [
        listing('first', '', { tools: [tool('echo'), tool('only-first')], prompts: [prompt('greet')] }),
        listing('second', '', { tools: [tool('echo'), tool('only-second')], prompts: [prompt('greet')] }),
      ],
      plainOptions(),
    );
    assert.deepEqual(
      catalog.tools.map((t) => t.name),
      ['echo', 'only-first', 'second__echo', 'only-second'],
    );
    assert.deepEqual(catalog.toolRoutes.get('echo'), { upstream: 'first', original: 'echo' });
    assert.deepEqual(catalog.toolRoutes.get('second__echo'), { upstream: 'second', original: 'echo' });
    assert.deepEqual(
      catalog.prompts.map((p) => p.name),
      ['greet', 'second__greet'],
    );
    assert.deepEqual(catalog.promptRoutes.get('second__greet'), { upstream: 'second', original: 'greet' });
    assert.equal(catalog.notes.length, 2, catalog.notes.join('\n'));
    assert.match(catalog.notes[0], /name collision: tool echo of upstream first \(echo\) and of upstream second \(echo\); the latter is exposed as second__echo/);
    assert.match(catalog.notes[1], /name collision: prompt greet of upstream first \(greet\) and of upstream second \(greet\); the latter is exposed as second__greet/);
  });

  it('settles a collision with the qualified name too by a numeric suffix', () => {
    const catalog = buildCatalog(
      [
        listing('a', '', { tools: [tool('x'), tool('b__x')] }),
        listing('b', '', { tools: [tool('x')] }),
        listing('c', 'b', { tools: [tool('x')] }),
      ],
      plainOptions(),
    );
    // b's x wants "x" (taken), then "b__x" (taken by a): "b__x_2". c's x wants "b__x" (taken), "c__b__x".
    assert.deepEqual(
      catalog.tools.map((t) => t.name),
      ['x', 'b__x', 'b__x_2', 'c__b__x'],
    );
    assert.deepEqual(catalog.toolRoutes.get('b__x_2'), { upstream: 'b', original: 'x' });
    assert.deepEqual(catalog.toolRoutes.get('c__b__x'), { upstream: 'c', original: 'x' });
    assert.equal(new Set(catalog.tools.map((t) => t.name)).size, 4);
  });

  it('passes every field but the name untouched: unknown keys, annotations, _meta, outputSchema, icons', () => {
    const odd = {
      name: 'odd',
      title: 'Odd tool',
      description: 'has fields the SDK does not know',
      inputSchema: { type: 'object', properties: { q: { type: 'string', 'x-hint': 'free text' } }, $defs: { a: { type: 'number' } } },
      outputSchema: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
      annotations: { readOnlyHint: true, 'x-cost': { cents: 3 }, futureHint: [1, 2] },
      icons: [{ src: 'https://example.com/i.png', mimeType: 'image/png', sizes: ['48x48'] }],
      execution: { taskSupport: 'optional' },
      _meta: { 'com.example/deep': { nested: { list: [1, { x: null }] } } },
      'x-vendor': { tier: 'gold', limits: { rpm: 60 } },
    };
    const oddPrompt = { name: 'odd-prompt', arguments: [{ name: 'a', required: true, 'x-arg': 1 }], 'x-vendor': 'p', _meta: { k: 'v' } };
    const oddResource = { uri: 'odd://r', name: 'r', size: 12, annotations: { audience: ['user'], 'x-note': 'n' }, 'x-vendor': true };
    const oddTemplate = { uriTemplate: 'odd://t/{id}', name: 't', 'x-vendor': { t: 1 }, _meta: { deep: { er: [] } } };
    const catalog = buildCatalog(
      [
        listing('odd', 'o', {
          tools: [odd as unknown as Tool],
          prompts: [oddPrompt as unknown as Prompt],
          resources: [oddResource as unknown as Resource],
          resourceTemplates: [oddTemplate as unknown as ResourceTemplateType],
        }),
      ],
      plainOptions(),
    );
    assert.deepEqual(catalog.tools[0], { ...odd, name: 'o__odd' });
    assert.deepEqual(catalog.prompts[0], { ...oddPrompt, name: 'o__odd-prompt' });
    assert.deepEqual(catalog.resources[0], oddResource, 'resources keep their URI and every field');
    assert.deepEqual(catalog.resourceTemplates[0], oddTemplate);
    assert.equal(odd.name, 'odd', 'the input listing is not mutated');
  });

  it('exposes a resource whose URI an earlier upstream already lists under a namespaced URI, and notes it', () => {
    const catalog = buildCatalog(
      [
        listing('a', 'a', { resources: [resource('file:///shared', 'from a'), resource('file:///a-only')] }),
        listing('b', 'b', { resources: [resource('file:///shared', 'from b'), resource('file:///b-only')] }),
      ],
      plainOptions(),
    );
    assert.deepEqual(
      catalog.resources.map((r) => [r.uri, r.name]),
      [
        ['file:///shared', 'from a'],
        ['file:///a-only', 'file:///a-only'],
        ['mcproxy://b/file%3A%2F%2F%2Fshared', 'from b'],
        ['file:///b-only', 'file:///b-only'],
      ],
    );
    assert.deepEqual(catalog.resourceRoutes.get('file:///shared'), { upstream: 'a', original: 'file:///shared' });
    assert.deepEqual(catalog.resourceRoutes.get('mcproxy://b/file%3A%2F%2F%2Fshared'), { upstream: 'b', original: 'file:///shared' });
    assert.deepEqual(catalog.resourceRoutes.get('file:///b-only'), { upstream: 'b', original: 'file:///b-only' });
    assert.equal(catalog.notes.length, 1);
    assert.match(catalog.notes[0], /URI collision: resource file:\/\/\/shared of upstream a and of upstream b; the latter is exposed as mcproxy:\/\/b\//);
  });

  it('keeps every template in config order', () => {
    const catalog = buildCatalog(
      [listing('a', 'a', { resourceTemplates: [template('a://{x}')] }), listing('b', 'b', { resourceTemplates: [template('b://{x}'), template('a://{x}')] })],
      plainOptions(),
    );
    assert.deepEqual(
      catalog.resourceTemplates.map((t) => t.uriTemplate),
      ['a://{x}', 'b://{x}', 'a://{x}'],
    );
    assert.deepEqual(
      catalog.templateRoutes.map((t) => [t.uriTemplate, t.upstream]),
      [
        ['a://{x}', 'a'],
        ['b://{x}', 'b'],
        ['a://{x}', 'b'],
      ],
    );
  });

  it('builds an empty catalog from no listings', () => {
    const catalog = buildCatalog([], plainOptions());
    assert.deepEqual([catalog.tools, catalog.prompts, catalog.resources, catalog.resourceTemplates, catalog.notes], [[], [], [], [], []]);
  });
});

describe('routeResource', () => {
  const catalog = buildCatalog(
    [
      listing('docs', 'docs', {
        resources: [resource('demo://resource/dynamic/text/1')],
        resourceTemplates: [template('demo://docs/{path}')],
      }),
      listing('dyn', 'dyn', {
        resourceTemplates: [template('demo://resource/dynamic/text/{id}'), template('demo://docs/{path}')],
      }),
    ],
    plainOptions(),
  );

  it('routes a listed URI to the upstream that listed it, before any template', () => {
    // dyn's template matches this URI too, but the listed resource wins.
    assert.deepEqual(routeResource(catalog, 'demo://resource/dynamic/text/1'), { upstream: 'docs', original: 'demo://resource/dynamic/text/1' });
  });

  it('routes an unlisted URI to the first template that matches it, URI unchanged', () => {
    assert.deepEqual(routeResource(catalog, 'demo://resource/dynamic/text/7'), { upstream: 'dyn', original: 'demo://resource/dynamic/text/7' });
    assert.deepEqual(routeResource(catalog, 'demo://docs/readme'), { upstream: 'docs', original: 'demo://docs/readme' }, 'first template in config order');
  });

  it('finds no route for a URI nothing lists or matches', () => {
    assert.equal(routeResource(catalog, 'nowhere://x'), undefined);
    assert.equal(routeResource(catalog, 'demo://other/1'), undefined);
  });
});

describe('routeTemplate', () => {
  const catalog = buildCatalog(
    [
      listing('a', 'a', { resourceTemplates: [template('x://{id}')] }),
      listing('b', 'b', { resourceTemplates: [template('y://{id}'), template('x://{id}')] }),
    ],
    plainOptions(),
  );

  it('routes a template to its owner by its exact uriTemplate, the first owner on a tie', () => {
    assert.deepEqual(routeTemplate(catalog, 'y://{id}'), { upstream: 'b', original: 'y://{id}' });
    assert.deepEqual(routeTemplate(catalog, 'x://{id}'), { upstream: 'a', original: 'x://{id}' });
  });

  it('does not match a concrete URI against templates', () => {
    assert.equal(routeTemplate(catalog, 'y://7'), undefined);
    assert.equal(routeTemplate(catalog, 'z://{id}'), undefined);
  });
});
