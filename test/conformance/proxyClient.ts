/**
 * README. The conformance suite's client under test, as mcproxy: for
 * `conformance client --command "node dist/test/conformance/proxyClient.js"`.
 *
 * The suite starts a scenario server, then runs the command with the
 * server's URL appended as the last argument, the scenario name in
 * MCP_CONFORMANCE_SCENARIO, the scenario's context (JSON, e.g. client
 * credentials or the tool calls to make) in MCP_CONFORMANCE_CONTEXT and the
 * revision in MCP_CONFORMANCE_PROTOCOL_VERSION. This wrapper:
 *
 * 1. writes that URL into a temp mcproxy.yaml as the only upstream
 *    (namespace "", so names stay the scenario's; `upstreamFor` below),
 * 2. starts the real mcproxy CLI on it (HTTP mode, 127.0.0.1, a free port),
 * 3. connects the real SDK v2 client to mcproxy (2026-07-28 runs negotiate
 *    with `server/discover` first, as the SDK's reference client does;
 *    2025-11-25 runs initialize), and does what the scenario expects
 *    (`SCENARIOS` below) through that one proxied session.
 *
 * So mcproxy is the client the scenario server judges. With `--direct` the
 * same SDK v2 client connects straight to the URL instead: the reference
 * verdict (the SDK's reference client behaviour) mcproxy must match.
 *
 * Generic on purpose: the scenario name and context pass through untouched; a
 * scenario without an entry in SCENARIOS connects, lists tools and calls the
 * first one. The auth/* scenarios (authConformance.test.ts) get the scenario's
 * credentials in the upstream's `oauth:` keys (`upstreamFor`), a token store
 * of their own, $BROWSER set to followRedirect.js, and AUTH_FLOW: "needs
 * login" answered with `mcproxy auth login`, as its message says.
 *
 * MCPROXY_TEST_VERBOSE=1 passes mcproxy's debug log to stderr (the suite
 * keeps it in the scenario's stderr.txt).
 */
import { Client, StreamableHTTPClientTransport, type ClientCapabilities } from '@modelcontextprotocol/client';

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { CLI } from '../helpers/paths.js';
import { startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';

const MODERN = '2026-07-28';

interface ScenarioEnv {
  scenario: string;
  /** The mcproxy config written for the run, and the environment mcproxy runs in (auth/* scenarios: `mcproxy auth login`). */
  configFile?: string;
  proxyEnv?: Record<string, string>;
  /** MCP_CONFORMANCE_CONTEXT, parsed (empty when unset). */
  context: Record<string, unknown>;
  /** The revision the suite runs the scenario at. */
  protocolVersion: string | undefined;
}

/** What a scenario needs from the client: its capabilities and what it does once connected. */
interface ScenarioFlow {
  capabilities?: ClientCapabilities;
  /** Answers to server→client requests (or embedded input requests): method -> result. */
  answers?: Record<string, (params: Record<string, unknown>) => Record<string, unknown>>;
  /**
   * The scenario's mock implements neither server/discover nor a 2026-07-28
   * initialize the SDK accepts, so the SDK's reference client answers the
   * connect-time server/discover itself (direct runs only; through mcproxy,
   * coping with the mock is mcproxy's job).
   */
  mockLacksDiscover?: boolean;
  run(client: Client, env: ScenarioEnv): Promise<void>;
}

type ToolCall = { name: string; arguments: Record<string, unknown> };
const callQuietly = (client: Client, call: ToolCall) =>
  client.callTool(call).catch((err: unknown) => log(`${call.name} rejected: ${String(err)}`));

const listAndCallFirstTool = async (client: Client) => {
  const { tools } = await client.listTools();
  if (tools[0]) await callQuietly(client, { name: tools[0].name, arguments: {} });
};

const SCENARIOS: Record<string, ScenarioFlow> = {
  initialize: { run: async (client) => void (await client.listTools()) },
  tools_call: {
    run: async (client) => {
      const { tools } = await client.listTools();
      if (tools.some((t) => t.name === 'add_numbers')) await client.callTool({ name: 'add_numbers', arguments: { a: 5, b: 3 } });
    },
  },
  'request-metadata': {
    capabilities: { roots: { listChanged: true }, sampling: {}, elicitation: {} },
    run: async (client) => void (await client.listTools()),
  },
  'http-standard-headers': {
    mockLacksDiscover: true,
    run: async (client) => {
      await listAndCallFirstTool(client);
      const { resources } = await client.listResources();
      if (resources[0]) await client.readResource({ uri: resources[0].uri });
      const { prompts } = await client.listPrompts();
      if (prompts[0]) await client.getPrompt({ name: prompts[0].name, arguments: {} });
    },
  },
  'http-custom-headers': {
    mockLacksDiscover: true,
    run: async (client, env) => {
      await client.listTools();
      for (const call of (env.context.toolCalls as ToolCall[] | undefined) ?? []) await client.callTool(call);
    },
  },
  'http-invalid-tool-headers': {
    mockLacksDiscover: true,
    run: async (client) => {
      // Tools with invalid header annotations must not survive listing; call what did.
      const { tools } = await client.listTools();
      for (const tool of tools) await callQuietly(client, { name: tool.name, arguments: { region: 'us-west1' } });
    },
  },
  'sep-2322-client-request-state': {
    mockLacksDiscover: true,
    capabilities: { elicitation: {} },
    answers: { 'elicitation/create': () => ({ action: 'accept', content: { confirmed: true } }) },
    run: async (client) => {
      for (const name of ['test_mrtr_echo_state', 'test_mrtr_no_state', 'test_mrtr_unrelated', 'test_mrtr_no_result_type']) {
        await callQuietly(client, { name, arguments: {} });
      }
    },
  },
  'elicitation-sep1034-client-defaults': {
    capabilities: { elicitation: { form: { applyDefaults: true } } },
    // Accept with nothing filled in: the client applies the schema's defaults.
    answers: { 'elicitation/create': () => ({ action: 'accept', content: {} }) },
    run: async (client) => void (await client.callTool({ name: 'test_client_elicitation_defaults', arguments: {} })),
  },
  'sse-retry': {
    run: async (client) => void (await client.callTool({ name: 'test_reconnection', arguments: {} })),
  },
  'json-schema-ref-no-deref': { run: async (client) => void (await client.listTools()) },
  'json-schema-2020-12-preservation': {
    run: async (client) => {
      const { tools } = await client.listTools();
      const focal = tools.find((t) => t.name === 'json_schema_2020_12_tool');
      if (!focal) throw new Error('json_schema_2020_12_tool not listed');
      await client.callTool({ name: 'json_schema_echo', arguments: { schema: focal.inputSchema } });
    },
  },
};

const DEFAULT_FLOW: ScenarioFlow = { run: listAndCallFirstTool };

/** The Client ID Metadata Document URL the suite's CIMD scenario expects (the SDK's reference client uses it too). */
const CIMD_URL = 'https://conformance-test.local/client-metadata.json';
const MAX_LOGINS = 3;
const isAuthScenario = (scenario: string) => scenario.startsWith('auth/');

/**
 * The auth/* scenarios: list and call the first tool through mcproxy; "needs login" (the
 * first time, and on a step-up) is answered the way the message says, with `mcproxy auth
 * login` (its $BROWSER follows the authorization redirect), then tried again.
 */
const AUTH_FLOW: ScenarioFlow = {
  run: async (client, env) => {
    for (let logins = 0; ; ) {
      try {
        const { tools } = await client.listTools();
        // No tools: the upstream waits for a login, which a call in its namespace ("" here) says.
        if (!tools[0]) await client.callTool({ name: 'any-tool', arguments: {} });
        else await client.callTool({ name: tools[0].name, arguments: {} });
        return;
      } catch (error) {
        if (!/needs login/.test(String(error)) || logins++ >= MAX_LOGINS) throw error;
        const login = spawnSync(process.execPath, [CLI, 'auth', 'login', 'conformance', '--config', env.configFile!, '--timeout', '20'], { env: env.proxyEnv, encoding: 'utf8' });
        log(`auth login: exit ${login.status}: ${login.stdout.trim()} ${login.stderr.trim()}`);
        if (login.status !== 0) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1_500)); // mcproxy notices the new login within a second
      }
    }
  },
};

/** The mcproxy upstream entry for the scenario server: for auth/* scenarios, with the scenario's credentials. */
function upstreamFor(url: string, env: ScenarioEnv): Record<string, unknown> {
  // A 2026-07-28 scenario server is configured as what it is: several mocks lack
  // server/discover, so `auto` would take them for legacy servers.
  // A 2025-11-25 one likewise (`legacy`): the scenario checks what the client sends first.
  if (!isAuthScenario(env.scenario)) return { url, namespace: '', protocol: env.protocolVersion === MODERN ? 'modern' : 'legacy' };
  const context = env.context as Record<string, string | undefined>;
  const oauth: Record<string, unknown> = { clientMetadataUrl: CIMD_URL };
  if (context.client_id) oauth.clientId = context.client_id;
  if (context.client_secret) oauth.clientSecret = context.client_secret;
  if (context.private_key_pem) oauth.privateKey = context.private_key_pem;
  if (env.scenario.startsWith('auth/client-credentials')) oauth.grant = 'client_credentials';
  if (context.idp_token_endpoint && context.idp_client_id && context.idp_id_token) {
    oauth.grant = 'jwt_bearer';
    oauth.idp = { tokenEndpoint: context.idp_token_endpoint, clientId: context.idp_client_id, idToken: context.idp_id_token };
  }
  // Which era the scenario server speaks is for mcproxy to find out, as for any remote server.
  return { url, namespace: '', transport: 'streamable-http', protocol: 'auto', oauth };
}

function log(message: string): void {
  console.error(`[proxyClient] ${message}`);
}

/** fetch that answers server/discover itself, as the SDK's reference client does for mocks without it. */
function answeringDiscover(clientName: string): typeof fetch {
  return async (input, init) => {
    if (typeof init?.body === 'string') {
      const message = JSON.parse(init.body) as { method?: string; id?: unknown };
      if (message.method === 'server/discover') {
        return Response.json({
          jsonrpc: '2.0',
          id: message.id,
          result: {
            supportedVersions: [MODERN],
            capabilities: { tools: { listChanged: true }, resources: {}, prompts: {} },
            _meta: { 'io.modelcontextprotocol/serverInfo': { name: clientName, version: '1.0.0' } },
          },
        });
      }
    }
    return fetch(input, init);
  };
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const direct = args.includes('--direct');
  const url = args.filter((a) => !a.startsWith('--')).at(-1);
  const scenario = process.env.MCP_CONFORMANCE_SCENARIO;
  if (!url || !scenario) {
    log('usage: MCP_CONFORMANCE_SCENARIO=<name> node proxyClient.js [--direct] <scenario-server-url>');
    return 2;
  }
  const env: ScenarioEnv = {
    scenario,
    context: process.env.MCP_CONFORMANCE_CONTEXT ? (JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT) as Record<string, unknown>) : {},
    protocolVersion: process.env.MCP_CONFORMANCE_PROTOCOL_VERSION,
  };
  const flow = SCENARIOS[scenario] ?? (isAuthScenario(scenario) ? AUTH_FLOW : DEFAULT_FLOW);
  const modern = env.protocolVersion === MODERN;

  let proxy: HttpProxy | undefined;
  let client: Client | undefined;
  try {
    let endpoint = url;
    if (!direct) {
      env.configFile = writeConfig({ upstreams: { conformance: upstreamFor(url, env) } });
      // Its own data folder (the token store), and a "browser" that follows the authorization redirect.
      env.proxyEnv = {
        ...(process.env as Record<string, string>),
        MCPROXY_DATA_DIR: path.join(path.dirname(env.configFile), 'data'),
        BROWSER: `${process.execPath} ${fileURLToPath(new URL('./followRedirect.js', import.meta.url))}`,
      };
      proxy = await startHttpProxy(env.configFile, [], {
        ...env.proxyEnv,
        MCPROXY_LOG_LEVEL: process.env.MCPROXY_TEST_VERBOSE ? 'debug' : 'info',
      });
      endpoint = proxy.url;
    }
    const clientName = `mcproxy-conformance-client${direct ? '-direct' : ''}`;
    client = new Client(
      { name: clientName, version: '1.0.0' },
      { capabilities: flow.capabilities ?? {}, ...(modern ? { versionNegotiation: { mode: 'auto' as const } } : {}) },
    );
    for (const [method, answer] of Object.entries(flow.answers ?? {})) {
      client.setRequestHandler(method as 'elicitation/create', async (request) => answer(request.params as Record<string, unknown>) as never);
    }
    const transport = new StreamableHTTPClientTransport(new URL(endpoint), {
      ...(direct && modern && flow.mockLacksDiscover ? { fetch: answeringDiscover(clientName) } : {}),
    });
    await client.connect(transport);
    log(`${scenario}: connected ${direct ? 'directly' : 'through mcproxy'}, protocol ${client.getNegotiatedProtocolVersion()}`);
    await flow.run(client, env);
    return 0;
  } catch (err) {
    log(`${scenario} failed: ${err instanceof Error ? err.stack : String(err)}`);
    return 1;
  } finally {
    await client?.close().catch(() => {});
    if (proxy) {
      await proxy.stop();
      if (process.env.MCPROXY_TEST_VERBOSE) process.stderr.write(proxy.stderr());
    }
  }
}

process.exit(await main());
