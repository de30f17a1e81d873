// Inbound auth on the HTTP listener: API keys, and OAuth access tokens from a local issuer
// (test/helpers/oauthIssuer.ts), with the exact status and WWW-Authenticate of each refusal.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { INITIALIZE, postJsonRpc } from '../helpers/jsonrpc.js';
import { freePort, startHeaderRecorder } from '../helpers/net.js';
import { startTestIssuer, unsignedToken, type TestIssuer } from '../helpers/oauthIssuer.js';
import { CLI, ROOT } from '../helpers/paths.js';
import { startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';
import { changing } from '../helpers/upstreams.js';


const TEAM_KEY = 'team-key-0123456789abcdef';
const CI_KEY = 'ci-key-0123456789abcdef';

/** The SDK client with an Authorization header on every request; lists the tools. */
async function toolNamesWith(url: string, headers: Record<string, string>): Promise<string[]> {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  const client = new Client({ name: 'auth-test', version: '1' });
  await client.connect(transport);
  try {
    return (await client.listTools()).tools.map((tool) => tool.name);
  } finally {
    await transport.terminateSession().catch(() => {});
    await client.close();
  }
}

describe('API keys on the HTTP listener', function () {
  let proxy: HttpProxy;
  before(async () => {
    const file = writeConfig({
      server: { auth: { apiKeys: ['${TEAM_KEY}', { key: '${CI_KEY}', profiles: ['ci'] }] } },
      upstreams: { chg: changing },
      profiles: { ci: { policy: { tools: { allow: ['chg__ask-*'] } } }, ops: {} },
    });
    proxy = await startHttpProxy(file, [], { TEAM_KEY, CI_KEY });
  });
  after(() => proxy?.stop());

  it('gives a key bound to a profile that profile, at the plain path and at its own', async () => {
    const ciTools = ['chg__ask-elicitation', 'chg__ask-roots', 'chg__ask-sampling', 'chg__ask-then-give-up'];
    assert.deepEqual((await toolNamesWith(proxy.url, { authorization: `Bearer ${CI_KEY}` })).sort(), ciTools);
    assert.deepEqual((await toolNamesWith(`${proxy.url}/ci`, { authorization: `Bearer ${CI_KEY}` })).sort(), ciTools);
    assert.ok((await toolNamesWith(`${proxy.url}/ci`, { authorization: `Bearer ${TEAM_KEY}` })).includes('chg__ask-sampling'), 'an unbound key may use any profile');
  });

  it('refuses a bound key at another profile\'s path with 403', async () => {
    const response = await postJsonRpc(`${proxy.url}/ops`, INITIALIZE, { authorization: `Bearer ${CI_KEY}` });
    assert.equal(response.status, 403);
    assert.match(((await response.json()) as { error: { message: string } }).error.message, /apiKey#2 may not use profile 'ops'/);
  });

  it('keeps a session to the key that opened it: another valid key gets 404 with its id', async () => {
    const init = await postJsonRpc(proxy.url, INITIALIZE, { authorization: `Bearer ${TEAM_KEY}` });
    const session = init.headers.get('mcp-session-id')!;
    await init.text();
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
    const stolen = await postJsonRpc(proxy.url, list, { 'mcp-session-id': session, authorization: `Bearer ${CI_KEY}` });
    assert.equal(stolen.status, 404);
    const own = await postJsonRpc(proxy.url, list, { 'mcp-session-id': session, authorization: `Bearer ${TEAM_KEY}`, 'mcp-protocol-version': '2025-06-18' });
    assert.equal(own.status, 200);
    await own.text();
  });

  it('refuses a request without a key: 401 with a Bearer challenge', async () => {
    const response = await postJsonRpc(proxy.url, INITIALIZE);
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer');
    assert.match(((await response.json()) as { error: { message: string } }).error.message, /requires a bearer credential/);
  });

  it('refuses a wrong key: 401 invalid_token', async () => {
    const response = await postJsonRpc(proxy.url, INITIALIZE, { authorization: `Bearer ${TEAM_KEY}x` });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
  });

  it('serves a client with a right key, either of them, and never logs the keys', async () => {
    assert.ok((await toolNamesWith(proxy.url, { authorization: `Bearer ${TEAM_KEY}` })).includes('chg__add-tool'));
    assert.ok((await toolNamesWith(proxy.url, { authorization: `Bearer ${CI_KEY}` })).includes('chg__ask-sampling'));
    assert.doesNotMatch(proxy.stderr(), /team-key|ci-key/);
  });

  it('checks the key on every request of a session, not only the first', async () => {
    const init = await postJsonRpc(proxy.url, INITIALIZE, { authorization: `Bearer ${TEAM_KEY}` });
    assert.equal(init.status, 200);
    const session = init.headers.get('mcp-session-id')!;
    await init.text();
    const list = await postJsonRpc(proxy.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': session });
    assert.equal(list.status, 401);
  });
});

describe('guessing API keys', function () {
  let proxy: HttpProxy;
  before(async () => {
    proxy = await startHttpProxy(writeConfig({ server: { auth: { apiKeys: ['${TEAM_KEY}'] } }, upstreams: { chg: changing } }), [], { TEAM_KEY });
  });
  after(() => proxy?.stop());

  it('answers an address with 429 and Retry-After after 20 failed attempts in a minute, even with the right key', async () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const response = await postJsonRpc(proxy.url, INITIALIZE, { authorization: `Bearer guess-${attempt}` });
      assert.equal(response.status, 401, `attempt ${attempt}`);
      await response.text();
    }
    const throttled = await postJsonRpc(proxy.url, INITIALIZE, { authorization: `Bearer ${TEAM_KEY}` });
    assert.equal(throttled.status, 429);
    assert.ok(Number(throttled.headers.get('retry-after')) > 0);
    assert.match(((await throttled.json()) as { error: { message: string } }).error.message, /Too many failed authentication attempts/);
  });
});

describe('API key in a custom header', function () {
  let proxy: HttpProxy;
  before(async () => {
    const file = writeConfig({ server: { auth: { apiKeys: ['${TEAM_KEY}'], header: 'X-Api-Key' } }, upstreams: { chg: changing } });
    proxy = await startHttpProxy(file, [], { TEAM_KEY });
  });
  after(() => proxy?.stop());

  it('reads a bare key (or Bearer) from that header, and ignores Authorization', async () => {
    assert.ok((await toolNamesWith(proxy.url, { 'x-api-key': TEAM_KEY })).length > 0);
    assert.ok((await toolNamesWith(proxy.url, { 'x-api-key': `Bearer ${TEAM_KEY}` })).length > 0);
    assert.equal((await postJsonRpc(proxy.url, INITIALIZE, { authorization: `Bearer ${TEAM_KEY}` })).status, 401);
  });
});

describe('no token passthrough', function () {
  it('sends a remote upstream only its configured headers, never the client’s key', async () => {
    const upstream = await startHeaderRecorder();
    const { seen } = upstream;
    const file = writeConfig({
      server: { auth: { apiKeys: ['${TEAM_KEY}'] } },
      upstreams: { chg: changing, remote: { url: upstream.url, headers: { 'x-upstream': 'configured' } } },
    });
    const proxy = await startHttpProxy(file, [], { TEAM_KEY });
    try {
      await toolNamesWith(proxy.url, { authorization: `Bearer ${TEAM_KEY}` });
      assert.ok(seen.length > 0, 'the proxy tried the remote upstream');
      for (const headers of seen) {
        assert.equal(headers['x-upstream'], 'configured');
        assert.equal(headers.authorization, undefined);
        assert.ok(!JSON.stringify(headers).includes(TEAM_KEY));
      }
    } finally {
      await proxy.stop();
      upstream.close();
    }
  });
});

describe('OAuth with its signing keys out of reach', function () {
  it('answers 503 with Retry-After, not 401, when the JWKS cannot be fetched, and names no token', async () => {
    const issuer = await startTestIssuer();
    const closedPort = await freePort();
    const file = writeConfig({ server: { auth: { oauth: { issuer: issuer.issuer, jwksUrl: `http://127.0.0.1:${closedPort}/jwks.json` } } }, upstreams: { chg: changing } });
    const proxy = await startHttpProxy(file);
    try {
      const token = await issuer.sign({ sub: 'alice', aud: proxy.url });
      const response = await postJsonRpc(proxy.url, INITIALIZE, { authorization: `Bearer ${token}` });
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('retry-after'), '5');
      assert.match(((await response.json()) as { error: { message: string } }).error.message, /signing keys cannot be fetched/);
      assert.match(proxy.stderr(), /warn cannot fetch the issuer's signing keys/);
      assert.ok(!proxy.stderr().includes(token.split('.')[2]));
    } finally {
      await proxy.stop();
      await issuer.close();
    }
  });
});

describe('binding beyond loopback', function () {
  it('refuses to start on a non-loopback address without auth, naming the way out', () => {
    const file = writeConfig({ upstreams: { chg: changing } });
    const run = spawnSync(process.execPath, [CLI, '--config', file, '--transport', 'http', '--host', '0.0.0.0', '--port', '0'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /^mcproxy: refusing to listen on 0\.0\.0\.0 without authentication: .*server\.auth\.allowAnonymous: true\n$/);
    assert.doesNotMatch(run.stderr, /listening on/);
  });
});

describe('OAuth access tokens on the HTTP listener', function () {
  let issuer: TestIssuer;
  let proxy: HttpProxy;
  let metadataUrl: string;
  before(async () => {
    issuer = await startTestIssuer();
    const file = writeConfig({
      server: { auth: { oauth: { issuer: issuer.issuer, requiredScopes: ['mcp'], profileClaim: 'profile' } } },
      upstreams: { chg: changing },
      profiles: { ci: { policy: { tools: { allow: ['chg__ask-sampling'] } } } },
    });
    proxy = await startHttpProxy(file);
    const { origin } = new URL(proxy.url);
    metadataUrl = `${origin}/.well-known/oauth-protected-resource/mcp`;
  });
  after(async () => {
    await proxy?.stop();
    await issuer?.close();
  });

  /** A token as the issuer would mint it for this proxy, with `claims` over the defaults. */
  const token = (claims: Record<string, unknown> = {}) => issuer.sign({ sub: 'alice', aud: proxy.url, scope: 'mcp other', ...claims });

  async function refusal(bearer: string): Promise<{ status: number; challenge: string | null; message: string }> {
    const response = await postJsonRpc(proxy.url, INITIALIZE, { authorization: `Bearer ${bearer}` });
    const body = (await response.json()) as { error: { message: string } };
    return { status: response.status, challenge: response.headers.get('www-authenticate'), message: body.error.message };
  }

  it('answers a request without a token with 401 and the resource metadata URL', async () => {
    const response = await postJsonRpc(proxy.url, INITIALIZE);
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), `Bearer resource_metadata="${metadataUrl}"`);
  });

  it('serves RFC 9728 metadata at the path-suffixed and the plain well-known URL, without a token', async () => {
    for (const url of [metadataUrl, `${new URL(proxy.url).origin}/.well-known/oauth-protected-resource`]) {
      const response = await fetch(url);
      assert.equal(response.status, 200, url);
      assert.deepEqual(await response.json(), {
        resource: proxy.url,
        authorization_servers: [issuer.issuer],
        bearer_methods_supported: ['header'],
        scopes_supported: ['mcp'],
      });
    }
  });

  it('gives a token the profile its claim names, and refuses one whose claim names none of ours', async () => {
    assert.deepEqual(await toolNamesWith(proxy.url, { authorization: `Bearer ${await token({ profile: 'ci' })}` }), ['chg__ask-sampling']);
    const refused = await refusal(await token({ profile: 'admin' }));
    assert.equal(refused.status, 403);
    assert.match(refused.message, /token:alice may use no profile of this proxy/);
  });

  it('serves a client with a valid token (keys found through the issuer metadata)', async () => {
    const names = await toolNamesWith(proxy.url, { authorization: `Bearer ${await token()}` });
    assert.ok(names.includes('chg__add-tool'), names.join(', '));
  });

  const invalid = (description: RegExp) => (result: { status: number; challenge: string | null; message: string }) => {
    assert.equal(result.status, 401);
    assert.match(result.challenge!, new RegExp(`^Bearer error="invalid_token", error_description="[^"]+", resource_metadata="${metadataUrl}"$`));
    assert.match(result.message, description);
  };

  it('refuses an expired token (beyond the clock skew)', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    invalid(/expired/)(await refusal(await token({ iat: past - 300, exp: past })));
  });

  it('refuses a token for another audience', async () => {
    invalid(/"aud" claim/)(await refusal(await token({ aud: 'https://other.example/mcp' })));
  });

  it('refuses a token from another issuer', async () => {
    invalid(/"iss" claim/)(await refusal(await token({ iss: 'https://evil.example' })));
  });

  it('refuses a token whose signature was tampered with, or made with a foreign key', async () => {
    const good = await token();
    const [header, payload, signature] = good.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'mallory' })).toString('base64url');
    invalid(/signature/)(await refusal(`${header}.${forgedPayload}.${signature}`));
    invalid(/signature/)(await refusal(await issuer.signWithForeignKey({ sub: 'mallory', aud: proxy.url, scope: 'mcp' })));
  });

  it('refuses an unsigned token (alg: none)', async () => {
    const now = Math.floor(Date.now() / 1000);
    invalid(/algorithm|malformed/)(await refusal(unsignedToken({ iss: issuer.issuer, aud: proxy.url, sub: 'mallory', scope: 'mcp', exp: now + 300 })));
  });

  it('answers a token without the required scope with 403 insufficient_scope', async () => {
    const result = await refusal(await token({ scope: 'other' }));
    assert.equal(result.status, 403);
    assert.equal(
      result.challenge,
      `Bearer error="insufficient_scope", error_description="missing scope: mcp", scope="mcp", resource_metadata="${metadataUrl}"`,
    );
  });

  it('never logs a token', async () => {
    const presented = await token();
    await toolNamesWith(proxy.url, { authorization: `Bearer ${presented}` });
    assert.ok(!proxy.stderr().includes(presented.split('.')[2]));
  });
});
