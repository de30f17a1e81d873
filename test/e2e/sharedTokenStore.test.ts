// Two mcproxy processes on one data folder (two clients of one user, each starting its own
// stdio proxy): one login serves both; when the access token expires they refresh it once
// between them (the authorization server rotates refresh tokens, so a second refresh with the
// same one would fail and send both back to "needs login"), a refresh by one is used by the
// other, nothing writes the file while another holds its lock (a refresh, a login, a logout),
// and the token file stays whole.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { cli, followingBrowser } from '../helpers/authCli.js';
import { startAuthorizationServer, type TestAuthorizationServer } from '../helpers/authorizationServer.js';
import { connectStdio, writeConfig } from '../helpers/proxy.js';
import { sleep, waitUntil } from '../helpers/wait.js';
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
  let config: string;
  let env: Record<string, string>;
  let first: Client;
  let second: Client;

  before(async () => {
    as = await startAuthorizationServer();
    mcp = await startProtectedServer(as);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-two-'));
    oauthDir = path.join(dir, 'data', 'oauth');
    env = { MCPROXY_DATA_DIR: path.join(dir, 'data'), BROWSER: followingBrowser(dir) };
    config = writeConfig({ upstreams: { linear: { url: mcp.url } } });
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

  it('writes the token file only under its lock, so another proxy\'s refresh in the meantime is kept', async function () {
    const file = path.join(oauthDir, readdirSync(oauthDir).find((name) => name.endsWith('.json'))!);
    const lock = `${file}.lock`;
    // The test is the other proxy: it holds the lock through a refresh of its own.
    mkdirSync(lock);
    try {
      as.expireAccessTokens();
      const before = readFileSync(file, 'utf8');
      const challenged = mcp.seenAuthorization.length;
      const answer = whoami(first);
      await waitUntil(() => mcp.seenAuthorization.length > challenged, 'the first proxy to get its 401');
      // The first proxy has its 401 and waits for the lock (it tries every 50 ms).
      await sleep(300);
      assert.equal(readFileSync(file, 'utf8'), before, 'the first proxy wrote the token file while another held the lock');
      const stored = JSON.parse(before) as { client: { client_id: string }; tokens: Record<string, unknown> };
      const refreshed = await fetch(`${as.issuer}/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: String(stored.tokens.refresh_token), client_id: stored.client.client_id, resource: mcp.url }),
      });
      assert.equal(refreshed.status, 200);
      const tokens = (await refreshed.json()) as Record<string, unknown>;
      writeFileSync(file, JSON.stringify({ ...stored, tokens: { ...tokens, expires_at: Date.now() + Number(tokens.expires_in) * 1000 } }), { mode: 0o600 });
      const refreshes = as.tokenRequests.refresh_token;
      rmSync(lock, { recursive: true });
      assert.equal(await answer, 'alice');
      assert.equal(as.tokenRequests.refresh_token, refreshes, 'the first proxy used the other one\'s refresh');
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  });

  it('stores a login made while another proxy holds the lock once that one is done, and both proxies use it', async function () {
    const file = path.join(oauthDir, readdirSync(oauthDir).find((name) => name.endsWith('.json'))!);
    const lock = `${file}.lock`;
    mkdirSync(lock);
    as.loginAs = 'bob';
    try {
      const before = readFileSync(file, 'utf8');
      const codes = as.tokenRequests.authorization_code;
      const probed = mcp.seenAuthorization.length;
      const login = cli(['auth', 'login', 'linear', '--config', config, '--timeout', '30'], env);
      await waitUntil(() => mcp.seenAuthorization.length > probed, 'the login to probe the upstream', 15_000);
      // Unlocked, the whole login (discovery, registration, browser, token request) takes a few hundred ms.
      await sleep(1000);
      assert.equal(readFileSync(file, 'utf8'), before, 'the login wrote the token file while another held the lock');
      assert.equal(as.tokenRequests.authorization_code, codes);
      rmSync(lock, { recursive: true });
      const done = await login;
      assert.equal(done.code, 0, done.stderr);
      assert.equal(as.tokenRequests.authorization_code, codes + 1);
      assert.deepEqual(await Promise.all([whoami(first), whoami(second)]), ['bob', 'bob']);
    } finally {
      rmSync(lock, { recursive: true, force: true });
      as.loginAs = 'alice';
    }
  });

  it('leaves one whole token file, readable by the user alone, and no lock or temporary file', function () {
    const files = readdirSync(oauthDir);
    assert.equal(files.length, 1, files.join(', '));
    const file = path.join(oauthDir, files[0]);
    assert.ok(files[0].endsWith('.json'));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { tokens?: { access_token?: string; refresh_token?: string } };
    assert.equal(as.introspect(stored.tokens?.access_token)?.sub, 'bob', 'the stored access token is the live one, of the last login');
    assert.ok(stored.tokens?.refresh_token);
  });

  it('logs out once a renewal holding the lock is done, and then both proxies need a login', async function () {
    const file = path.join(oauthDir, readdirSync(oauthDir).find((name) => name.endsWith('.json'))!);
    mkdirSync(`${file}.lock`);
    let logout: Promise<Awaited<ReturnType<typeof cli>>>;
    try {
      logout = cli(['auth', 'logout', 'linear', '--config', config], env);
      const early = await Promise.race([logout.then(() => 'exited'), sleep(1500).then(() => 'waiting')]);
      assert.equal(early, 'waiting', 'the logout went ahead while another held the lock');
      assert.ok(existsSync(file));
    } finally {
      rmSync(`${file}.lock`, { recursive: true, force: true });
    }
    const done = await logout;
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /Logged out of 'linear'/);
    assert.equal(existsSync(file), false);
    for (const answer of await Promise.all([whoami(first), whoami(second)])) assert.match(answer, /^error: .*needs login/);
  });
});
