/**
 * The official conformance suite's client authorization scenarios, with mcproxy as the client
 * of each scenario's server (through proxyClient.ts: the scenario's URL and credentials in a
 * config, mcproxy over HTTP, `mcproxy auth login` with a $BROWSER that follows the redirect when
 * it says "needs login", one proxied list and call). The suite runs on Node 22 through npx as
 * suite.ts describes.
 *
 * The bar is what the MCP TypeScript SDK's own reference client passes (its baseline fails
 * only the DPoP and workload-identity extensions). The upstream is configured `protocol: auto`,
 * so the scenarios at the 2026-07-28 wire (MODERN_AUTH_SCENARIOS) go through mcproxy as well.
 * Left out here: extensions mcproxy does not implement (the reference client fails them too):
 * auth/dpop, auth/dpop-nonce, auth/wif-jwt-bearer.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { suiteEnv } from './suite.js';

const PROXY_CLIENT = fileURLToPath(new URL('./proxyClient.js', import.meta.url));

/** The scenarios of `--suite auth`: what the spec's tier 1 requires of an OAuth client. */
export const AUTH_SUITE = [
  'auth/metadata-default',
  'auth/metadata-var1',
  'auth/metadata-var2',
  'auth/metadata-var3',
  'auth/basic-cimd',
  'auth/scope-from-www-authenticate',
  'auth/scope-from-scopes-supported',
  'auth/scope-omitted-when-undefined',
  'auth/scope-step-up',
  'auth/scope-retry-limit',
  'auth/token-endpoint-auth-basic',
  'auth/token-endpoint-auth-post',
  'auth/token-endpoint-auth-none',
  'auth/pre-registration',
];

/** Outside `--suite auth`, run one by one: back-compat, client credentials, the refusals of 2026-07-28, enterprise-managed authorization. */
export const MORE_AUTH_SCENARIOS = [
  'auth/2025-03-26-oauth-metadata-backcompat',
  'auth/2025-03-26-oauth-endpoint-fallback',
  'auth/client-credentials-basic',
  'auth/client-credentials-jwt',
  'auth/resource-mismatch',
  'auth/iss-supported-missing',
  'auth/iss-wrong-issuer',
  'auth/iss-unexpected',
  'auth/iss-normalized',
  'auth/metadata-issuer-mismatch',
  'auth/enterprise-managed-authorization',
];

/** At the 2026-07-28 wire (stateless, per-request _meta): mcproxy's upstream side speaks it (protocol: auto). */
export const MODERN_AUTH_SCENARIOS = [
  'auth/offline-access-scope',
  'auth/offline-access-not-supported',
  'auth/iss-supported',
  'auth/iss-not-advertised',
  'auth/authorization-server-migration',
];

interface Run {
  code: number | null;
  output: string;
}

function conformance(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    void Promise.all([mkdtemp(path.join(tmpdir(), 'mcp-conformance-auth-')), suiteEnv()]).then(([dir, env]) => {
      const child = spawn('conformance', ['client', '--command', `${process.execPath} ${PROXY_CLIENT}`, '--timeout', '120000', '-o', dir, ...args], {
        cwd: dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk));
      const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 600_000);
      child.once('error', reject);
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    }, reject);
  });
}

/** Scenarios run at once: the suite's own `--suite auth` starts 14 proxies together, too many for a loaded machine. */
const AT_ONCE = 3;

describe('MCP conformance suite, client authorization scenarios, mcproxy as the client', function () {
  this.timeout(900_000);
  const scenarios = [...AUTH_SUITE, ...MORE_AUTH_SCENARIOS, ...MODERN_AUTH_SCENARIOS];
  const runs = new Map<string, Run>();

  before(async function () {
    const queue = [...scenarios];
    const worker = async () => {
      for (let scenario = queue.shift(); scenario; scenario = queue.shift()) runs.set(scenario, await conformance(['--scenario', scenario]));
    };
    await Promise.all(Array.from({ length: AT_ONCE }, worker));
  });

  for (const scenario of scenarios) {
    it(`passes ${scenario}`, function () {
      const run = runs.get(scenario);
      assert.ok(run, 'did not run');
      assert.match(run.output, /OVERALL: PASSED/, run.output.slice(-6000));
    });
  }
});
