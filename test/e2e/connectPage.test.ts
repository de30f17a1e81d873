// A team gateway (HTTP with server.auth) in front of an upstream that needs OAuth, with
// `credentials: perUser` and no token exchange: each person logs in in their own browser at
// the gateway's connect page. Alice's client declares URL elicitation and is asked during her
// call; Bob's does not and gets the link in the error. Each opens it in headless Chromium,
// which follows the authorization server's redirect back to the gateway's callback. The
// upstream then sees two identities; links are bound to their person, expire and work once.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { cli } from '../helpers/authCli.js';
import { startAuthorizationServer, type TestAuthorizationServer } from '../helpers/authorizationServer.js';
import { CHROMIUM, clickThrough } from '../helpers/chromium.js';
import { startTestIssuer, type TestIssuer } from '../helpers/oauthIssuer.js';
import { startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';
import { waitUntil } from '../helpers/wait.js';
import { startProtectedServer, type ProtectedServer } from '../fixtures/protected-server.js';

const text = (result: unknown) => ((result as { content: Array<{ text: string }> }).content[0]?.text ?? '');

interface Person {
  client: Client;
  transport: StreamableHTTPClientTransport;
  /** URL elicitations the gateway sent, and the elicitation/complete ids it sent. */
  asked: Array<{ mode: string; url: string; elicitationId: string }>;
  completed: string[];
  /** The DOM of each page the person's browser ended on. */
  pages: Promise<string>[];
}

async function connectAs(proxy: HttpProxy, token: string, options: { elicitation?: boolean; browse?: (url: string) => Promise<string>; modern?: boolean } = {}): Promise<Person> {
  const transport = new StreamableHTTPClientTransport(new URL(proxy.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  const versionNegotiation = options.modern ? { mode: { pin: '2026-07-28' as const } } : undefined;
  const client = new Client({ name: 'team-member', version: '1' }, { capabilities: options.elicitation ? { elicitation: { url: {} } } : {}, versionNegotiation });
  const person: Person = { client, transport, asked: [], completed: [], pages: [] };
  if (options.elicitation) {
    client.setRequestHandler('elicitation/create', async (request) => {
      const params = request.params as { mode: string; url: string; elicitationId: string };
      person.asked.push(params);
      // The user agrees; the browser opens the page while the client answers.
      person.pages.push(options.browse!(params.url));
      return { action: 'accept' };
    });
    client.setNotificationHandler('notifications/elicitation/complete', (notification) => {
      person.completed.push((notification.params as { elicitationId: string }).elicitationId);
    });
  }
  await client.connect(transport);
  return person;
}

async function callWhoami(client: Client): Promise<string> {
  try {
    const result = await client.callTool({ name: 'team__whoami', arguments: {} });
    return result.isError ? `error: ${text(result)}` : text(result);
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

async function leave(person: Person): Promise<void> {
  await person.transport.terminateSession().catch(() => {});
  await person.client.close();
}

describe('A team gateway with credentials: perUser and a login per person at the connect page', function () {
  this.timeout(180_000);
  let issuer: TestIssuer;
  let as: TestAuthorizationServer;
  let mcp: ProtectedServer;
  let proxy: HttpProxy;
  let dataDir: string;
  let bobsLink = '';
  let configFile: string;
  /** The person at their browser, logging in as `who` at the authorization server: they read the connect page and press its button. */
  const browserOf = (who: string) => async (url: string) => {
    as.loginAs = who;
    return clickThrough(url, '#connect', (text) => /Connected|Not connected|refused/.test(text));
  };

  before(function () {
    assert.ok(existsSync(CHROMIUM), `Chromium is needed at ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`);
  });
  before(async () => {
    issuer = await startTestIssuer();
    as = await startAuthorizationServer();
    mcp = await startProtectedServer(as);
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-connect-'));
    configFile = writeConfig({
      server: { auth: { oauth: { issuer: issuer.issuer } }, connectKey: '${CONNECT_KEY}' },
      upstreams: { team: { url: mcp.url, credentials: 'perUser' } },
    });
    proxy = await startHttpProxy(configFile, [], { MCPROXY_DATA_DIR: dataDir, CONNECT_KEY: 'a connect key for the tests only', MCPROXY_LOG_LEVEL: 'debug' });
  });
  after(async () => {
    await proxy?.stop();
    await mcp?.close();
    await as?.close();
    await issuer?.close();
  });

  it('asks a client that declares URL elicitation to open the connect page, and answers its call once the person logged in', async function () {
    const alice = await connectAs(proxy, await issuer.sign({ sub: 'alice', aud: proxy.url }), { elicitation: true, browse: browserOf('alice') });
    try {
      assert.equal(await callWhoami(alice.client), 'alice');
      assert.equal(alice.asked.length, 1);
      const [asked] = alice.asked;
      assert.equal(asked.mode, 'url');
      assert.ok(asked.url.startsWith(`${new URL(proxy.url).origin}/connect/team?link=`), asked.url);
      assert.match(await alice.pages[0], /Your account is connected to 'team' for token:alice\./);
      await waitUntil(() => alice.completed.includes(asked.elicitationId), 'notifications/elicitation/complete');
    } finally {
      await leave(alice);
    }
  });

  it('gives a client without URL elicitation the link in the error; the next call works as that person', async function () {
    const bob = await connectAs(proxy, await issuer.sign({ sub: 'bob', aud: proxy.url }));
    try {
      const error = await callWhoami(bob.client);
      const link = /connect your account at (\S+) /.exec(error)?.[1];
      assert.ok(link, error);
      bobsLink = link;
      assert.match(await browserOf('bob')(link), /Your account is connected to 'team' for token:bob\./);
      await waitUntil(async () => (await callWhoami(bob.client)) === 'bob', "bob's upstream to connect", 15_000);
    } finally {
      await leave(bob);
    }
    // Alice's own login stayed hers, and a new session of hers needs none.
    const alice = await connectAs(proxy, await issuer.sign({ sub: 'alice', aud: proxy.url }));
    try {
      assert.equal(await callWhoami(alice.client), 'alice');
    } finally {
      await leave(alice);
    }
    assert.equal(as.tokenRequests.authorization_code, 2, 'one login each');
    assert.equal(as.registrations, 1, "one dynamic registration serves everyone (the redirect URL is the gateway's)");
    const stored = readdirSync(path.join(dataDir, 'oauth', readdirSync(path.join(dataDir, 'oauth')).find((name) => !name.endsWith('.json'))!));
    assert.equal(stored.filter((file) => file.endsWith('.json')).length, 2, 'one token file per person');
  });

  it('gives a 2026-07-28 client that declares URL elicitation the connect link as -32042', async function () {
    const dave = await connectAs(proxy, await issuer.sign({ sub: 'dave', aud: proxy.url }), { modern: true, elicitation: true });
    try {
      let offered: { code?: number; data?: { elicitations?: Array<{ mode: string; url: string }> } } = {};
      try {
        await dave.client.callTool({ name: 'team__whoami', arguments: {} });
      } catch (error) {
        offered = error as typeof offered;
      }
      assert.equal(offered.code, -32042, JSON.stringify(offered));
      const [elicitation] = offered.data?.elicitations ?? [];
      assert.equal(elicitation?.mode, 'url');
      assert.ok(elicitation.url.startsWith(`${new URL(proxy.url).origin}/connect/team?link=`), elicitation.url);
      assert.match(await browserOf('dave')(elicitation.url), /Your account is connected to 'team' for token:dave\./);
      await waitUntil(async () => (await callWhoami(dave.client)) === 'dave', "dave's upstream to connect", 15_000);
    } finally {
      await leave(dave);
    }
  });

  it('refuses a link used twice, a link changed by hand, a callback with a wrong state, and a callback from another browser', async function () {
    const again = await fetch(bobsLink, { redirect: 'manual' });
    assert.equal(again.status, 403);
    assert.match(await again.text(), /already used/);

    const forged = new URL(bobsLink);
    const [payload, signature] = forged.searchParams.get('link')!.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    forged.searchParams.set('link', `${Buffer.from(JSON.stringify({ ...claims, s: 'mallory', n: 'x' })).toString('base64url')}.${signature}`);
    const tampered = await fetch(forged, { redirect: 'manual' });
    assert.equal(tampered.status, 403);
    assert.match(await tampered.text(), /not valid/);

    const callback = new URL('/connect/team/callback?code=c&state=guessed', proxy.url);
    const wrongState = await fetch(callback);
    assert.equal(wrongState.status, 400);
    assert.match(await wrongState.text(), /unknown or expired/);

    // A fresh link for carol. Its page names her; a form sent from another site is refused.
    // Sent without a browser that keeps its cookie, the authorization server sends the redirect
    // back, but the gateway refuses to finish a login started elsewhere.
    const carol = await connectAs(proxy, await issuer.sign({ sub: 'carol', aud: proxy.url }));
    try {
      const link = /connect your account at (\S+) /.exec(await callWhoami(carol.client))?.[1];
      assert.ok(link);
      const shown = await fetch(link);
      assert.equal(shown.status, 200);
      const confirmation = await shown.text();
      assert.match(confirmation, /to &#39;team&#39; on this gateway, for token:carol/);
      assert.match(shown.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
      const form = { link: new URL(link).searchParams.get('link')! };
      const crossSite = await fetch(link, { method: 'POST', body: new URLSearchParams(form), headers: { origin: 'https://attacker.example' }, redirect: 'manual' });
      assert.equal(crossSite.status, 403);
      const noOrigin = await fetch(link, { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' });
      assert.equal(noOrigin.status, 403);
      assert.match(await noOrigin.text(), /sent from the connect page only/);
      as.loginAs = 'carol';
      const opened = await fetch(link, { method: 'POST', body: new URLSearchParams(form), headers: { origin: new URL(proxy.url).origin }, redirect: 'manual' });
      assert.equal(opened.status, 303);
      const back = await fetch(opened.headers.get('location')!, { redirect: 'manual' });
      const elsewhere = await fetch(back.headers.get('location')!);
      assert.equal(elsewhere.status, 400);
      assert.match(await elsewhere.text(), /started in another browser/);
      // The used link is spent; her next call gets a new one.
      const next = /connect your account at (\S+) /.exec(await callWhoami(carol.client))?.[1];
      assert.ok(next && next !== link, 'a new link');
    } finally {
      await leave(carol);
    }
  });

  it("puts only the person whose grant was revoked back to needs login, with a new link", async function () {
    as.revoke('bob');
    const bob = await connectAs(proxy, await issuer.sign({ sub: 'bob', aud: proxy.url }));
    const alice = await connectAs(proxy, await issuer.sign({ sub: 'alice', aud: proxy.url }));
    try {
      const error = await callWhoami(bob.client);
      assert.match(error, /Upstream 'team' needs login: connect your account at http:\/\/\S+\/connect\/team\?link=/);
      assert.ok(!error.includes(bobsLink), 'a new link, not the used one');
      assert.equal(await callWhoami(alice.client), 'alice');
    } finally {
      await leave(bob);
      await leave(alice);
    }
  });

  it('sends `mcproxy auth login` on such an upstream to the connect page', async function () {
    const run = await cli(['auth', 'login', 'team', '--config', configFile], { MCPROXY_DATA_DIR: dataDir, CONNECT_KEY: 'a connect key for the tests only' });
    assert.equal(run.code, 2);
    assert.match(run.stdout + run.stderr, /upstream 'team' has credentials: perUser: each person gets their own token in their own browser, at the gateway's connect page/);
  });

  it('never logs a token or a connect link', async function () {
    const log = proxy.stderr();
    assert.ok(log.includes('team'), 'the log is there to check');
    for (const token of as.issued) assert.ok(!log.includes(token), 'an upstream token was logged');
    assert.ok(!log.includes(new URL(bobsLink).searchParams.get('link')!), 'a connect link was logged');
  });
});
