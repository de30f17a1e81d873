// mcproxy as the client under test of the official conformance suite's client auth scenarios
// (`conformance client --command 'node dist/test/conformance/authClient.js'`): the suite starts
// its scenario server and runs this with the server's URL (argv), the scenario's name
// ($MCP_CONFORMANCE_SCENARIO) and credentials ($MCP_CONFORMANCE_CONTEXT). This writes them
// into an mcproxy config and drives a proxied list and call through mcproxy in stdio mode with
// the real SDK client. A "needs login" error (the first one, a step-up) is answered the way its
// message says: `mcproxy auth login`, with $BROWSER a script that follows the authorization
// redirect; then the call is tried again (at most MAX_LOGINS logins).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(HERE, '../../src/cli/main.js');
/** The Client ID Metadata Document URL the suite's CIMD scenario expects (its reference client uses it too). */
const CIMD_URL = 'https://conformance-test.local/client-metadata.json';
const MAX_LOGINS = 3;

const serverUrl = process.argv[2];
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}') as Record<string, string | undefined>;
const say = (line: string) => process.stderr.write(`[authClient ${scenario}] ${line}\n`);

function oauthSection(): Record<string, unknown> {
  const oauth: Record<string, unknown> = { clientMetadataUrl: CIMD_URL };
  if (context.client_id) oauth.clientId = context.client_id;
  if (context.client_secret) oauth.clientSecret = context.client_secret;
  if (context.private_key_pem) oauth.privateKey = context.private_key_pem;
  if (scenario.startsWith('auth/client-credentials')) oauth.grant = 'client_credentials';
  return oauth;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-conformance-auth-'));
const config = path.join(dir, 'mcproxy.yaml');
writeFileSync(config, stringify({ upstreams: { conformance: { url: serverUrl, transport: 'streamable-http', namespace: '', shared: true, oauth: oauthSection() } } }));
const env = {
  ...process.env,
  MCPROXY_DATA_DIR: path.join(dir, 'data'),
  BROWSER: `${process.execPath} ${path.join(HERE, 'followRedirect.js')}`,
  MCPROXY_LOG_LEVEL: 'debug',
} as Record<string, string>;

let logins = 0;
function login(): boolean {
  logins++;
  const run = spawnSync(process.execPath, [CLI, 'auth', 'login', 'conformance', '--config', config, '--timeout', '20'], { env, encoding: 'utf8' });
  say(`auth login → ${run.status}: ${run.stdout.trim()} ${run.stderr.trim()}`);
  return run.status === 0;
}

const needsLogin = (error: unknown) => /needs login/.test((error as Error).message ?? '');

async function main(): Promise<number> {
  const client = new Client({ name: 'mcproxy-conformance-auth', version: '1.0.0' }, { capabilities: {} });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, '--config', config], env, stderr: 'inherit' }));
  try {
    for (;;) {
      try {
        const { tools } = await client.listTools();
        say(`tools: ${tools.map((tool) => tool.name).join(', ') || '(none)'}`);
        if (tools.length === 0) throw new Error(`no tools: ${await waitingReason(client)}`);
        const result = await client.callTool({ name: tools[0].name, arguments: {} });
        say(`call ${tools[0].name}: ${JSON.stringify(result).slice(0, 200)}`);
        return 0;
      } catch (error) {
        say(`failed: ${(error as Error).message}`);
        if (!needsLogin(error) || logins >= MAX_LOGINS || !login()) return 1;
        await new Promise((resolve) => setTimeout(resolve, 1_500)); // the proxy notices the new login within a second
      }
    }
  } finally {
    await client.close();
  }
}

/** Why the upstream has no tools: a call to any name in its namespace says (namespace "": any name). */
async function waitingReason(client: Client): Promise<string> {
  try {
    await client.callTool({ name: 'any-tool', arguments: {} });
    return 'unknown';
  } catch (error) {
    return (error as Error).message;
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    say(`error: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
