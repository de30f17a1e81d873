// Multi round-trip requests through the proxy, every direction (issue 13, scope 4): a legacy
// upstream's sampling, elicitation and roots requests reach a 2026-07-28 client as
// `input_required` and its retry completes the same upstream call; a modern upstream's
// `input_required` reaches a 2025-11-25 client as real requests; modern to modern it is relayed
// with mcproxy's state wrapped around the upstream's. And the requestState mcproxy issues holds:
// forged, tampered, replayed-by-another-client and answered-twice state is refused, an upstream
// that never stops asking is stopped. Real servers (server-everything from npm; the SDK v2
// modern fixture), the real proxy process, real SDK v2 clients of both eras, stdio and HTTP.
import { ProtocolError } from '@modelcontextprotocol/client';
import type { Client, ClientCapabilities, CreateMessageResult, ElicitResult, Root } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import { CLI } from '../helpers/paths.js';
import { connectHttp, connectStdio, startHttpProxy, writeConfig, type ClientOptions, type HttpProxy } from '../helpers/proxy.js';
import { text } from '../helpers/results.js';
import { everything, fixture } from '../helpers/upstreams.js';

const ALL: ClientCapabilities = { sampling: {}, elicitation: { form: {} }, roots: { listChanged: true } };
const SAMPLED: CreateMessageResult = { model: 'test-model', role: 'assistant', content: { type: 'text', text: 'Paris, said the model' }, stopReason: 'endTurn' };
const ROOTS: Root[] = [{ uri: 'file:///srv/bridge-root', name: 'Bridge root' }];

/** How the client answers, and what it was asked. */
interface Answering {
  elicitation: ElicitResult;
  asked: { sampling: unknown[]; elicitation: unknown[]; roots: number };
}

/** Handlers for what the client declared; the SDK client fulfils input_required rounds through them too. */
function answer(client: Client, capabilities: ClientCapabilities = ALL): Answering {
  const answering: Answering = { elicitation: { action: 'accept', content: { name: 'Ada', response: 'Ada' } }, asked: { sampling: [], elicitation: [], roots: 0 } };
  if (capabilities.sampling) {
    client.setRequestHandler('sampling/createMessage', async (request) => (answering.asked.sampling.push(request.params), SAMPLED));
  }
  if (capabilities.elicitation) {
    client.setRequestHandler('elicitation/create', async (request) => (answering.asked.elicitation.push(request.params), answering.elicitation));
  }
  if (capabilities.roots) client.setRequestHandler('roots/list', async () => (answering.asked.roots++, { roots: ROOTS }));
  return answering;
}

/** Where a test's clients connect: a stdio proxy per client, or one HTTP proxy for the suite. */
type Connect = (options: ClientOptions) => Promise<Client>;

function viaStdioOn(config: () => string): Connect {
  return async (options) => (await connectStdio(config(), options)).client;
}

function viaHttpOn(proxy: () => HttpProxy): Connect {
  return async (options) => (await connectHttp(proxy().url, options)).client;
}

/** A JSON-RPC error's code, from what a client call rejected with. */
async function codeOf(call: Promise<unknown>): Promise<number | undefined> {
  try {
    await call;
  } catch (error) {
    return (error as { code?: number }).code;
  }
  assert.fail('the call succeeded');
}

function legacyUpstreamAsksAModernClient(connect: Connect) {
  let client: Client;
  let answering: Answering;
  before(async () => {
    client = await connect({ era: 'modern', capabilities: ALL, name: 'bridge-modern' });
    answering = answer(client);
  });
  after(async () => client?.close());

  it('sampling: the upstream’s request reaches the client as input_required, and its answer completes the same call', async () => {
    const result = await client.callTool({ name: 'ev__trigger-sampling-request', arguments: { prompt: 'Capital of France?', maxTokens: 20 } });
    assert.match(text(result), /Paris, said the model/);
    const asked = answering.asked.sampling.at(-1) as { messages: Array<{ content: { text: string } }> };
    assert.match(asked.messages[0]!.content.text, /Capital of France\?/);
  });

  it('elicitation: the form reaches the client and the accepted content reaches the upstream', async () => {
    const result = await client.callTool({ name: 'ev__trigger-elicitation-request', arguments: {} });
    assert.match(text(result), /Ada/);
    assert.ok(answering.asked.elicitation.length > 0);
  });

  it('roots: the upstream asks during a call and gets the client’s roots', async () => {
    const result = await client.callTool({ name: 'ev__get-roots-list', arguments: {} });
    assert.match(text(result), /bridge-root/);
  });
}

describe('a legacy upstream’s requests to a 2026-07-28 client (parked calls)', function () {
  const config = writeConfig({ upstreams: { everything: { ...everything, namespace: 'ev' } } });
  describe('over stdio', () => legacyUpstreamAsksAModernClient(viaStdioOn(() => config)));
  describe('over Streamable HTTP', function () {
    let proxy: HttpProxy;
    before(async () => (proxy = await startHttpProxy(config)));
    after(async () => proxy?.stop());
    legacyUpstreamAsksAModernClient(viaHttpOn(() => proxy));
  });
});

/** Calls the modern fixture's multi round-trip tools, whichever era the client speaks. */
function modernUpstreamAsks(connect: Connect, era: 'legacy' | 'modern') {
  let client: Client;
  let answering: Answering;
  before(async () => {
    client = await connect({ era, capabilities: ALL, name: `bridge-${era}` });
    answering = answer(client);
  });
  after(async () => client?.close());

  it('sampling: answered by the client, the upstream completes', async () => {
    const result = await client.callTool({ name: 'md__test_input_required_result_sampling', arguments: {} });
    assert.equal(text(result), 'Sampling response: Paris, said the model');
    const asked = answering.asked.sampling.at(-1) as { messages: Array<{ content: { text: string } }> };
    assert.equal(asked.messages[0]!.content.text, 'What is the capital of France?');
  });

  it('elicitation and roots: answered by the client, the upstream completes', async () => {
    assert.equal(text(await client.callTool({ name: 'md__test_input_required_result_elicitation', arguments: {} })), 'Hello, Ada!');
    assert.equal(text(await client.callTool({ name: 'md__test_input_required_result_list_roots', arguments: {} })), 'Client exposed 1 root(s): file:///srv/bridge-root');
  });

  it('two rounds, the upstream’s own requestState echoed to it each time', async () => {
    answering.elicitation = { action: 'accept', content: { name: 'Ada', color: 'teal' } };
    const result = await client.callTool({ name: 'md__test_input_required_result_multi_round', arguments: {} });
    assert.equal(text(result), 'Multi-round complete: Ada likes teal');
    assert.equal(text(await client.callTool({ name: 'md__test_input_required_result_request_state', arguments: {} })), 'state-ok: requestState verified and confirmation received');
  });

  it('three kinds of input in one round', async () => {
    const result = await client.callTool({ name: 'md__test_input_required_result_multiple_inputs', arguments: {} });
    assert.equal(text(result), 'Paris, said the model Ada, 1 root(s) visible');
  });
}

describe('a modern upstream’s input_required', function () {
  const config = writeConfig({ upstreams: { modern: { ...fixture('modern-server', '--stdio', '--modern-only'), protocol: 'modern', namespace: 'md' } } });
  let proxy: HttpProxy;
  before(async () => (proxy = await startHttpProxy(config)));
  after(async () => proxy?.stop());
  describe('to a 2025-11-25 client over stdio (real requests on its session)', () => modernUpstreamAsks(viaStdioOn(() => config), 'legacy'));
  describe('to a 2025-11-25 client over Streamable HTTP', () => modernUpstreamAsks(viaHttpOn(() => proxy), 'legacy'));
  describe('to a 2026-07-28 client over stdio (relayed)', () => modernUpstreamAsks(viaStdioOn(() => config), 'modern'));
  describe('to a 2026-07-28 client over Streamable HTTP', () => modernUpstreamAsks(viaHttpOn(() => proxy), 'modern'));
});
