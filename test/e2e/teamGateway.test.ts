// A team gateway (HTTP with server.auth) in front of an upstream that needs OAuth, with
// `credentials: perUser` and token exchange (RFC 8693): each person's incoming token is
// exchanged at the authorization server (test/helpers/authorizationServer.ts) for their own
// upstream token; the upstream (test/fixtures/protected-server.ts) sees two identities and
// never an incoming token.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startAuthorizationServer, type TestAuthorizationServer } from '../helpers/authorizationServer.js';
import { startTestIssuer, type TestIssuer } from '../helpers/oauthIssuer.js';
import { startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';
import { startProtectedServer, type ProtectedServer } from '../fixtures/protected-server.js';

const text = (result: unknown) => ((result as { content: Array<{ text: string }> }).content[0]?.text ?? '');

/** `era`: modern speaks 2026-07-28 (no session; the gateway keeps one per person behind it). */
async function whoamiAs(proxy: HttpProxy, token: string, era: 'legacy' | 'modern' = 'legacy'): Promise<string> {
  const transport = new StreamableHTTPClientTransport(new URL(proxy.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  const versionNegotiation = era === 'modern' ? { mode: { pin: '2026-07-28' as const } } : undefined;
  const client = new Client({ name: 'team-member', version: '1' }, { versionNegotiation });
  await client.connect(transport);
  try {
    const result = await client.callTool({ name: 'team__whoami', arguments: {} });
    return result.isError ? `error: ${text(result)}` : text(result);
  } catch (error) {
    return `error: ${(error as Error).message}`;
  } finally {
    await transport.terminateSession().catch(() => {});
    await client.close();
  }
}

describe('A team gateway with credentials: perUser and token exchange', function () {
  this.timeout(60_000);
  let issuer: TestIssuer;
  let as: TestAuthorizationServer;
  let mcp: ProtectedServer;
  let proxy: HttpProxy;
  let dataDir: string;

  before(async () => {
    issuer = await startTestIssuer();
    const jwks = createRemoteJWKSet(new URL(`${issuer.issuer}/jwks.json`));
    as = await startAuthorizationServer({
      clients: [{ client_id: 'gateway', client_secret: 'gateway-secret', redirect_uris: [] }],
      // The organisation's token endpoint accepts the company issuer's tokens as subject tokens.
      exchangeSubject: async (token) => {
        try {
          const { sub } = (await jwtVerify(token, jwks, { issuer: issuer.issuer })).payload;
          return sub === 'alice' || sub === 'bob' ? sub : undefined; // the organisation's members

        } catch {
          return undefined;
        }
      },
    });
    mcp = await startProtectedServer(as);
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-team-'));
    const file = writeConfig({
      server: { auth: { oauth: { issuer: issuer.issuer } } },
      upstreams: {
        team: {
          url: mcp.url,
          credentials: 'perUser',
          oauth: { clientId: 'gateway', clientSecret: '${GATEWAY_SECRET}' },
          tokenExchange: { tokenEndpoint: `${as.issuer}/token`, audience: mcp.url },
        },
      },
    });
    proxy = await startHttpProxy(file, [], { MCPROXY_DATA_DIR: dataDir, GATEWAY_SECRET: 'gateway-secret', MCPROXY_LOG_LEVEL: 'debug' });
  });
  after(async () => {
    await proxy?.stop();
    await mcp?.close();
    await as?.close();
    await issuer?.close();
  });

  it('gives two people two different upstream identities, and forwards neither incoming token', async function () {
    const alice = await issuer.sign({ sub: 'alice', aud: proxy.url });
    const bob = await issuer.sign({ sub: 'bob', aud: proxy.url });
    assert.equal(await whoamiAs(proxy, alice), 'alice');
    assert.equal(await whoamiAs(proxy, bob), 'bob');
    assert.equal(await whoamiAs(proxy, alice), 'alice');
    assert.equal(as.tokenRequests['urn:ietf:params:oauth:grant-type:token-exchange'], 2, 'one exchange per person; the second session of alice reuses hers');
    assert.ok(mcp.seenAuthorization.length > 0);
    for (const seen of mcp.seenAuthorization) {
      assert.ok(!seen.includes(alice) && !seen.includes(bob), 'an incoming token reached the upstream');
    }
    const stored = readdirSync(path.join(dataDir, 'oauth'), { recursive: true }) as string[];
    assert.equal(stored.filter((file) => file.endsWith('.json')).length, 2, 'one token file per person');
  });

  it('exchanges again when the upstream token is revoked, and refuses a caller the token endpoint rejects', async function () {
    const alice = await issuer.sign({ sub: 'alice', aud: proxy.url });
    as.revoke('alice');
    assert.equal(await whoamiAs(proxy, alice), 'alice');
    assert.equal(as.tokenRequests['urn:ietf:params:oauth:grant-type:token-exchange'], 3);
    // Someone the gateway lets in but the organisation's token endpoint does not know.
    const mallory = await issuer.sign({ sub: 'mallory', aud: proxy.url });
    assert.match(await whoamiAs(proxy, mallory), /error: .*the token exchange at .* for upstream 'team' was refused \(HTTP 400: invalid_grant/);
    assert.equal(await whoamiAs(proxy, alice), 'alice', 'the others keep working');
  });

  it('gives 2026-07-28 clients their own upstream identities too', async function () {
    const alice = await issuer.sign({ sub: 'alice', aud: proxy.url });
    const bob = await issuer.sign({ sub: 'bob', aud: proxy.url });
    assert.equal(await whoamiAs(proxy, alice, 'modern'), 'alice');
    assert.equal(await whoamiAs(proxy, bob, 'modern'), 'bob');
    for (const seen of mcp.seenAuthorization) {
      assert.ok(!seen.includes(alice) && !seen.includes(bob), 'an incoming token reached the upstream');
    }
  });

  it('never logs a token', async function () {
    const log = proxy.stderr();
    assert.ok(log.includes('team'), 'the log is there to check');
    for (const token of as.issued) assert.ok(!log.includes(token), 'an upstream token was logged');
  });
});
