// OAuth to remote upstreams, end to end: the real mcproxy CLI (`auth login/status/logout`, the
// proxy in stdio mode) against a local authorization server (test/helpers/authorizationServer.ts)
// and a protected MCP server (test/fixtures/protected-server.ts), with a $BROWSER script that
// follows the authorization redirect as a browser would.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { startAuthorizationServer, type TestAuthorizationServer } from '../helpers/authorizationServer.js';
import { cli, followingBrowser } from '../helpers/authCli.js';
import { connectStdio, writeConfig } from '../helpers/proxy.js';
import { fixture } from '../helpers/upstreams.js';
import { sleep, waitUntil } from '../helpers/wait.js';
import { startProtectedServer, type ProtectedServer } from '../fixtures/protected-server.js';

const text = (result: unknown) => ((result as { content: Array<{ text: string }> }).content[0]?.text ?? '');

async function callError(client: Client, name: string): Promise<string> {
  try {
    const result = await client.callTool({ name, arguments: {} });
    return result.isError ? text(result) : `no error: ${text(result)}`;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('OAuth to a remote upstream, one user', function () {
  this.timeout(60_000);
  let as: TestAuthorizationServer;
  let mcp: ProtectedServer;
  let dir: string;
  let env: Record<string, string>;
  let config: string;
  let logFile: string;
  let vconDir: string;
  const outputs: string[] = [];

  before(async () => {
    as = await startAuthorizationServer();
    mcp = await startProtectedServer(as);
    dir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-oauth-'));
    logFile = path.join(dir, 'mcproxy.log');
    vconDir = path.join(dir, 'vcons');
    env = { MCPROXY_DATA_DIR: path.join(dir, 'data'), BROWSER: followingBrowser(dir), MCPROXY_LOG_LEVEL: 'debug' };
    config = writeConfig({
      logging: { level: 'debug', file: logFile },
      vcon: { dir: vconDir },
      upstreams: { linear: { url: mcp.url }, local: fixture('changing-tools-server') },
    });
  });
  after(async () => {
    await mcp?.close();
    await as?.close();
  });

  const login = async () => {
    const run = await cli(['auth', 'login', 'linear', '--config', config, '--timeout', '30'], env);
    outputs.push(run.stdout, run.stderr);
    return run;
  };

  it('keeps an upstream that answers 401 in "needs login" while the others serve, and names the command', async function () {
    const { client } = await connectStdio(config, { env });
    try {
      const tools = (await client.listTools()).tools.map((tool) => tool.name);
      assert.ok(tools.some((name) => name.startsWith('local__')), 'the other upstream serves');
      assert.ok(!tools.some((name) => name.startsWith('linear__')));
      const error = await callError(client, 'linear__whoami');
      assert.match(error, /Upstream 'linear' needs login: run `mcproxy auth login linear`/);
    } finally {
      await client.close();
    }
    const list = await cli(['list', '--config', config], env);
    assert.equal(list.code, 1);
    assert.match(list.stdout + list.stderr, /linear.*needs login: run `mcproxy auth login linear`/);
    assert.doesNotMatch(list.stdout + list.stderr, /POST/);
  });

  it('logs in with `mcproxy auth login` and a running proxy connects when it is done', async function () {
    const { client } = await connectStdio(config, { env });
    try {
      const registered = as.registrations;
      const run = await login();
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /Logged in to 'linear'/);
      assert.match(run.stderr, /Open this URL to log in/);
      assert.equal(as.registrations, registered + 1, 'registered by DCR');
      await waitUntil(async () => (await client.listTools()).tools.some((tool) => tool.name === 'linear__whoami'), 'the waiting proxy to connect', 15_000);
      assert.equal(text(await client.callTool({ name: 'linear__whoami', arguments: {} })), 'alice');
    } finally {
      await client.close();
    }
    const files = readdirSync(path.join(dir, 'data', 'oauth')).filter((file) => file.endsWith('.json'));
    assert.equal(files.length, 1);
    assert.equal(statSync(path.join(dir, 'data', 'oauth', files[0])).mode & 0o777, 0o600);
  });

  it('serves after a restart without a new login, and `auth status` says who is logged in', async function () {
    const codes = as.tokenRequests.authorization_code;
    const { client } = await connectStdio(config, { env });
    try {
      assert.equal(text(await client.callTool({ name: 'linear__whoami', arguments: {} })), 'alice');
    } finally {
      await client.close();
    }
    assert.equal(as.tokenRequests.authorization_code, codes, 'no new authorization');
    const status = await cli(['auth', 'status', '--config', config], env);
    outputs.push(status.stdout, status.stderr);
    assert.match(status.stdout, /linear\s+logged in\s+\(.*scopes: mcp:read.*expires/);
  });

  it('refreshes an expired access token, with rotation', async function () {
    const { client } = await connectStdio(config, { env });
    try {
      assert.equal(text(await client.callTool({ name: 'linear__whoami', arguments: {} })), 'alice');
      const refreshes = as.tokenRequests.refresh_token ?? 0;
      as.expireAccessTokens();
      assert.equal(text(await client.callTool({ name: 'linear__whoami', arguments: {} })), 'alice');
      assert.equal(as.tokenRequests.refresh_token, refreshes + 1);
      as.expireAccessTokens();
      // The rotated refresh token works; the first one would not.
      assert.equal(text(await client.callTool({ name: 'linear__whoami', arguments: {} })), 'alice');
      assert.equal(as.tokenRequests.refresh_token, refreshes + 2);
    } finally {
      await client.close();
    }
  });

  it('steps up on 403 insufficient_scope: "needs login" for more scope, then the new login has it', async function () {
    const { client } = await connectStdio(config, { env });
    try {
      const error = await callError(client, 'linear__admin_action');
      assert.match(error, /Upstream 'linear' needs login \(it asks for more scope: mcp:read mcp:admin\): run `mcproxy auth login linear`/);
      const run = await login();
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /scopes: .*mcp:admin/);
      await waitUntil(async () => !(await callError(client, 'linear__whoami')).includes('needs login'), 'the proxy to reconnect', 15_000);
      assert.equal(await callError(client, 'linear__admin_action'), 'no error: admin done by alice');
    } finally {
      await client.close();
    }
  });

  it('goes back to "needs login" when the grant is revoked, and `auth logout` forgets the login', async function () {
    const { client } = await connectStdio(config, { env });
    try {
      assert.equal(text(await client.callTool({ name: 'linear__whoami', arguments: {} })), 'alice');
      as.revoke('alice');
      const error = await callError(client, 'linear__whoami');
      assert.match(error, /Upstream 'linear' needs login \(the authorization server no longer accepts its tokens: revoked or expired\): run `mcproxy auth login linear`/);
      // The local upstream still serves.
      assert.ok((await client.listTools()).tools.some((tool) => tool.name.startsWith('local__')));
    } finally {
      await client.close();
    }
    const status = await cli(['auth', 'status', '--config', config], env);
    assert.match(status.stdout, /linear\s+needs login/);
    const logout = await cli(['auth', 'logout', 'linear', '--config', config], env);
    assert.equal(logout.code, 0);
    assert.match(logout.stdout, /Logged out of 'linear'/);
    assert.equal(readdirSync(path.join(dir, 'data', 'oauth')).filter((file) => file.endsWith('.json')).length, 0);
  });

  it('asks a client that answers URL elicitation to open the login, and answers the call once the upstream connected', async function () {
    const { client } = await connectStdio(config, { env, capabilities: { elicitation: { url: {} } } });
    const asked: Array<{ mode: string; url: string; elicitationId: string }> = [];
    const completed: string[] = [];
    let browsed: Promise<string> | undefined;
    client.setRequestHandler('elicitation/create', async (request) => {
      const params = request.params as (typeof asked)[number];
      asked.push(params);
      // The user agrees, and their browser follows the login while the client answers.
      browsed = fetch(params.url).then((response) => response.text());
      return { action: 'accept' };
    });
    client.setNotificationHandler('notifications/elicitation/complete', (notification) => {
      completed.push((notification.params as { elicitationId: string }).elicitationId);
    });
    try {
      assert.equal(await callError(client, 'linear__whoami'), 'no error: alice');
      assert.equal(asked.length, 1);
      assert.equal(asked[0].mode, 'url');
      assert.ok(asked[0].url.startsWith(`${as.issuer}/authorize?`), asked[0].url);
      assert.match(await browsed!, /logged in to 'linear'/);
      await waitUntil(() => completed.includes(asked[0].elicitationId), 'notifications/elicitation/complete');
    } finally {
      await client.close();
    }
    const logout = await cli(['auth', 'logout', 'linear', '--config', config], env);
    assert.equal(logout.code, 0);
  });

  it('declines: the call gets the needs-login error, saying so', async function () {
    const { client } = await connectStdio(config, { env, capabilities: { elicitation: { url: {} } } });
    client.setRequestHandler('elicitation/create', async () => ({ action: 'decline' }));
    try {
      assert.match(await callError(client, 'linear__whoami'), /Upstream 'linear' needs login.*run `mcproxy auth login linear`.*\(the login was declined\)/);
    } finally {
      await client.close();
    }
  });

  it('offers the login as -32042 to a client that declares URL elicitation but does not answer it, and connects once it is done', async function () {
    const { client } = await connectStdio(config, { env, capabilities: { elicitation: { url: {} } } });
    try {
      let offered: { code?: number; data?: { elicitations?: Array<{ mode: string; url: string; elicitationId: string }> } } = {};
      try {
        await client.callTool({ name: 'linear__whoami', arguments: {} });
      } catch (error) {
        offered = error as typeof offered;
      }
      assert.equal(offered.code, -32042);
      const [elicitation] = offered.data?.elicitations ?? [];
      assert.equal(elicitation?.mode, 'url');
      assert.ok(elicitation.url.startsWith(`${as.issuer}/authorize?`), elicitation?.url);
      // The user opens it in their browser.
      await (await fetch(elicitation.url)).text();
      await waitUntil(async () => (await callError(client, 'linear__whoami')) === 'no error: alice', 'the upstream to connect after the login', 15_000);
    } finally {
      await client.close();
    }
  });

  it('never writes a token to a log, a vCon or the CLI output', async function () {
    assert.ok(as.issued.length >= 6);
    const written = [readFileSync(logFile, 'utf8'), ...outputs];
    for (const file of readdirSync(vconDir, { recursive: true }) as string[]) {
      const full = path.join(vconDir, file);
      if (statSync(full).isFile()) written.push(readFileSync(full, 'utf8'));
    }
    assert.ok(written.join('').includes('linear'), 'the logs are there to check');
    for (const token of as.issued) assert.ok(!written.some((text) => text.includes(token)), 'a token was written');
  });
});

describe('OAuth to a remote upstream: logins that cannot work fail clearly', function () {
  this.timeout(60_000);
  let as: TestAuthorizationServer;
  let mcp: ProtectedServer;
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    as = await startAuthorizationServer({ pkce: false });
    mcp = await startProtectedServer(as);
    dir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-oauth-bad-'));
    env = { MCPROXY_DATA_DIR: path.join(dir, 'data'), BROWSER: followingBrowser(dir) };
  });
  after(async () => {
    await mcp?.close();
    await as?.close();
  });

  it('refuses an authorization server that does not advertise PKCE S256', async function () {
    const config = writeConfig({ upstreams: { linear: { url: mcp.url } } });
    const run = await cli(['auth', 'login', 'linear', '--config', config, '--timeout', '10'], env);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /upstream 'linear': its authorization server .* does not advertise PKCE S256 .*refused/);
    assert.equal(as.registrations, 0, 'nothing was registered with it');
  });

  it('says so when the redirect port is taken, and when nobody completes the login', async function () {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const config = writeConfig({ upstreams: { linear: { url: mcp.url, oauth: { redirectPort: port } } } });
      const run = await cli(['auth', 'login', 'linear', '--config', config], env);
      assert.equal(run.code, 1);
      assert.match(run.stderr, new RegExp(`upstream 'linear': the login's redirect port ${port} \\(oauth.redirectPort\\) is in use`));
    } finally {
      blocker.close();
    }
    const good = await startAuthorizationServer();
    const server = await startProtectedServer(good);
    try {
      const config = writeConfig({ upstreams: { linear: { url: server.url } } });
      // A browser that opens nothing: the user never logs in.
      const run = await cli(['auth', 'login', 'linear', '--config', config, '--timeout', '2'], { ...env, BROWSER: 'true' });
      assert.equal(run.code, 1);
      assert.match(run.stderr, /upstream 'linear': no login completed within 2 s; run the command again/);
    } finally {
      await server.close();
      await good.close();
    }
  });

  it('names the stdio upstream and the unknown one', async function () {
    const config = writeConfig({ upstreams: { local: fixture('changing-tools-server'), linear: { url: mcp.url } } });
    const stdio = await cli(['auth', 'login', 'local', '--config', config], env);
    assert.equal(stdio.code, 2);
    assert.match(stdio.stderr, /'local' is a stdio upstream: OAuth is for remote \(url:\) upstreams \(remote upstreams: linear\)/);
    const unknown = await cli(['auth', 'logout', 'nope', '--config', config], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no upstream named 'nope'/);
  });
});

describe('OAuth to a remote upstream: short-lived tokens', function () {
  this.timeout(60_000);

  it('refreshes a token that is about to expire before sending it', async function () {
    // Tokens that live 4 s: mcproxy renews those with less than half their lifetime left.
    const as = await startAuthorizationServer({ accessTokenSeconds: 4 });
    const mcp = await startProtectedServer(as);
    try {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-oauth-short-'));
      const env = { MCPROXY_DATA_DIR: path.join(dir, 'data'), BROWSER: followingBrowser(dir) };
      const config = writeConfig({ upstreams: { linear: { url: mcp.url } } });
      assert.equal((await cli(['auth', 'login', 'linear', '--config', config, '--timeout', '30'], env)).code, 0);
      const loginToken = as.issued[0];
      await sleep(2_500);
      const seenBefore = mcp.seenAuthorization.length;
      const list = await cli(['list', '--config', config], env);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /linear__whoami/);
      assert.ok((as.tokenRequests.refresh_token ?? 0) >= 1, 'renewed');
      const sent = mcp.seenAuthorization.slice(seenBefore);
      assert.ok(sent.length > 0);
      assert.ok(!sent.includes(`Bearer ${loginToken}`), 'the token about to expire was never sent');
      assert.ok(sent.every((header) => header.startsWith('Bearer ')), 'no request went without a token');
    } finally {
      await mcp.close();
      await as.close();
    }
  });
});
