// Two mcproxy processes on one data folder (two clients of one user, each starting its own
// stdio proxy): one login serves both; when the access token expires they refresh it once
// between them (the authorization server rotates refresh tokens, so a second refresh with the
// same one would fail and send both back to "needs login"), a refresh by one is used by the
// other, and the token file stays whole.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { cli, followingBrowser } from '../helpers/authCli.js';
import { startAuthorizationServer, type TestAuthorizationServer } from '../helpers/authorizationServer.js';
import { connectStdio, writeConfig } from '../helpers/proxy.js';
import { startProtectedServer, type ProtectedServer } from '../fixtures/protected-server.js';

const text = (result: unknown) => ((result as { content: Array<{ text: string }> }).content[0]?.text ?? '');

async function whoami(client: Client): Promise<string> {
  try {
    const result = await client.callTool({ name: 'linear__whoami', arguments: {} });
    return result.isError ? `error: ${text(result)}` : text(result);
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

describe('Two proxies on one token store', function () {
  this.timeout(120_000);
  let as: TestAuthorizationServer;
  let mcp: ProtectedServer;
  let oauthDir: string;
  let first: Client;
  let second: Client;

  before(async () => {
    as = await startAuthorizationServer();
    mcp = await startProtectedServer(as);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-two-'));
    oauthDir = path.join(dir, 'data', 'oauth');
    const env = { MCPROXY_DATA_DIR: path.join(dir, 'data'), BROWSER: followingBrowser(dir) };
    const config = writeConfig({ upstreams: { linear: { url: mcp.url } } });
    const login = await cli(['auth', 'login', 'linear', '--config', config, '--timeout', '30'], env);
    assert.equal(login.code, 0, login.stderr);
    [first, second] = (await Promise.all([connectStdio(config, { env }), connectStdio(config, { env })])).map(({ client }) => client);
  });
  after(async () => {
    await first?.close();
    await second?.close();
    await mcp?.close();
    await as?.close();
  });

  it('serves both from one login', async function () {
    assert.deepEqual(await Promise.all([whoami(first), whoami(second)]), ['alice', 'alice']);
    assert.equal(as.tokenRequests.authorization_code, 1);
  });

  it('uses a refresh made by the other proxy instead of refreshing again', async function () {
    const refreshes = as.tokenRequests.refresh_token ?? 0;
    as.expireAccessTokens();
    assert.equal(await whoami(first), 'alice');
    assert.equal(as.tokenRequests.refresh_token, refreshes + 1);
    assert.equal(await whoami(second), 'alice');
    assert.equal(as.tokenRequests.refresh_token, refreshes + 1, 'the second proxy read the first one\'s new token');
  });

  it('refreshes once between them when both meet an expired token at once, round after round', async function () {
    for (let round = 1; round <= 4; round++) {
      const refreshes = as.tokenRequests.refresh_token ?? 0;
      as.expireAccessTokens();
      const answers = await Promise.all([first, second, first, second, first, second].map(whoami));
      assert.deepEqual(answers, Array(6).fill('alice'), `round ${round}`);
      assert.equal(as.tokenRequests.refresh_token, refreshes + 1, `round ${round}: one refresh`);
    }
  });

  it('leaves one whole token file, readable by the user alone, and no lock or temporary file', function () {
    const files = readdirSync(oauthDir);
    assert.equal(files.length, 1, files.join(', '));
    const file = path.join(oauthDir, files[0]);
    assert.ok(files[0].endsWith('.json'));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { tokens?: { access_token?: string; refresh_token?: string } };
    assert.equal(as.introspect(stored.tokens?.access_token)?.sub, 'alice', 'the stored access token is the live one');
    assert.ok(stored.tokens?.refresh_token);
  });
});
