// MCP Apps through the catalog: UI resource URIs exposed as the resource is, app calls routed by the upstream's own names.
import assert from 'node:assert/strict';
import { appToolRoutes, callRoutes, exposeToolUi, uiResourceOf } from '../../src/catalog/apps.js';
import { buildCatalog, plainOptions } from '../../src/catalog/catalog.js';
import { emptyListing, type UpstreamListing } from '../../src/catalog/listing.js';

const WIDGET = 'ui://widget/main.html';
const tool = (name: string, ui?: Record<string, unknown>) => ({ name, inputSchema: { type: 'object' as const }, ...(ui && { _meta: { ui } }) });

function appServer(upstream: string, namespace = upstream): UpstreamListing {
  return {
    ...emptyListing(upstream, namespace),
    tools: [tool('show_widget', { resourceUri: WIDGET }), tool('widget_refresh', { resourceUri: WIDGET, visibility: ['app'] }), tool('plain')],
    resources: [{ uri: WIDGET, name: 'widget', mimeType: 'text/html;profile=mcp-app' }],
  };
}

describe('MCP Apps in the catalog', () => {
  it('reads and rewrites both spellings of a tool’s UI resource', () => {
    assert.equal(uiResourceOf(tool('t', { resourceUri: WIDGET })), WIDGET);
    assert.equal(uiResourceOf({ _meta: { 'ui/resourceUri': WIDGET } }), WIDGET);
    assert.equal(uiResourceOf(tool('t')), undefined);
    const flat = exposeToolUi({ _meta: { 'ui/resourceUri': WIDGET, other: 1 } }, (uri) => `x:${uri}`);
    assert.deepEqual(flat._meta, { 'ui/resourceUri': `x:${WIDGET}`, other: 1 });
    const same = tool('t', { resourceUri: WIDGET });
    assert.equal(exposeToolUi(same, (uri) => uri), same, 'nothing to change: the same object');
  });

  it('names a UI resource the way the catalog exposes it when two upstreams share its URI', () => {
    const catalog = buildCatalog([appServer('a'), appServer('b')], plainOptions());
    const uiOf = (name: string) => uiResourceOf(catalog.tools.find((t) => t.name === name)!);
    assert.equal(uiOf('a__show_widget'), WIDGET);
    const namespaced = uiOf('b__show_widget');
    assert.notEqual(namespaced, WIDGET);
    assert.ok(catalog.resources.some((resource) => resource.uri === namespaced), 'the tool names a listed resource');
    assert.deepEqual(catalog.resourceRoutes.get(namespaced!), { upstream: 'b', original: WIDGET });
  });

  it('routes an app’s own tool names to the one upstream that lets them through', () => {
    const policies = new Map([['b', { tools: { block: ['widget_refresh'] } }]]);
    const catalog = buildCatalog([appServer('a'), appServer('b'), { ...emptyListing('c', 'c'), tools: [tool('widget_refresh')] }], { ...plainOptions(), upstreamPolicies: policies });
    assert.deepEqual(callRoutes(catalog, 'widget_refresh').get('widget_refresh'), { upstream: 'a', original: 'widget_refresh' }, 'c serves no app; b blocks it');
    assert.equal(catalog.appToolRoutes?.has('show_widget'), false, 'offered by a and b: ambiguous');
    assert.equal(callRoutes(catalog, 'a__plain'), catalog.toolRoutes, 'exposed names come first');
  });

  it('leaves out a name the catalog exposes itself, and upstreams without an app', () => {
    const catalog = buildCatalog([appServer('a', ''), { ...emptyListing('b', 'b'), tools: [tool('other')] }], plainOptions());
    assert.equal(appToolRoutes(catalog.tools, catalog.toolRoutes).size, 0, 'a is not namespaced, b has no app');
  });
});
