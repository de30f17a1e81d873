// The pure and local parts of OAuth to upstreams: the authorization response checks (state,
// RFC 9207 iss), the token store (permissions, encryption, the renewal lock), the config keys.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { checkRedirect } from '../../src/upstream/oauth/login.js';
import { TokenStore } from '../../src/upstream/oauth/tokenStore.js';

const ISSUER = 'https://as.example';
const params = (query: Record<string, string>) => new URLSearchParams(query);

describe('the authorization response (loopback redirect)', () => {
  it('is used only with the state that was sent and a code', () => {
    assert.equal(checkRedirect('linear', params({ code: 'c', state: 's', iss: ISSUER }), 's', ISSUER, true), undefined);
    assert.match(checkRedirect('linear', params({ code: 'c', state: 'other', iss: ISSUER }), 's', ISSUER, true)!, /upstream 'linear': .*wrong state/);
    assert.match(checkRedirect('linear', params({ state: 's', iss: ISSUER }), 's', ISSUER, true)!, /no code/);
    assert.match(checkRedirect('linear', params({ state: 's', error: 'access_denied', error_description: 'user said no' }), 's', ISSUER, false)!, /refused the login: access_denied: user said no/);
  });

  it('checks iss as RFC 9207 says: required when advertised, compared as a string whenever present', () => {
    assert.match(checkRedirect('x', params({ code: 'c', state: 's' }), 's', ISSUER, true)!, /promised an iss parameter/);
    assert.equal(checkRedirect('x', params({ code: 'c', state: 's' }), 's', ISSUER, false), undefined);
    assert.match(checkRedirect('x', params({ code: 'c', state: 's', iss: 'https://evil.example' }), 's', ISSUER, false)!, /iss https:\/\/evil.example is not the authorization server/);
    // No normalisation: a trailing slash is another issuer.
    assert.match(checkRedirect('x', params({ code: 'c', state: 's', iss: `${ISSUER}/` }), 's', ISSUER, true)!, /is not the authorization server/);
  });
});

describe('the token store', () => {
  const tokens = { access_token: 'secret-access-token-123', refresh_token: 'secret-refresh-456' };
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-tokens-'))));

  it('keeps one file per upstream (and per person), readable by the user alone', () => {
    const shared = new TokenStore({ dir }, 'linear', 'https://mcp.example/mcp');
    const alice = new TokenStore({ dir }, 'linear', 'https://mcp.example/mcp', 'alice');
    const bob = new TokenStore({ dir }, 'linear', 'https://mcp.example/mcp', 'bob');
    shared.write({ resource: 'https://mcp.example/mcp', tokens });
    alice.write({ resource: 'https://mcp.example/mcp', tokens: { access_token: 'a' } });
    assert.equal(statSync(shared.file).mode & 0o777, 0o600);
    assert.deepEqual(shared.read()?.tokens, tokens);
    assert.equal(alice.read()?.tokens?.access_token, 'a');
    assert.equal(bob.read(), undefined);
    assert.notEqual(alice.file, bob.file);
    assert.notEqual(new TokenStore({ dir }, 'linear', 'https://other.example/mcp').file, shared.file, 'same name, another server: another file');
  });

  it('encrypts with security.tokenKey, and says what to do when the key does not fit', () => {
    const store = new TokenStore({ dir, key: 'correct horse battery staple' }, 'linear', 'https://mcp.example/mcp');
    store.write({ resource: 'https://mcp.example/mcp', tokens });
    const text = readFileSync(store.file, 'utf8');
    assert.ok(!text.includes(tokens.access_token) && !text.includes(tokens.refresh_token));
    assert.deepEqual(store.read()?.tokens, tokens);
    assert.throws(() => new TokenStore({ dir, key: 'another key' }, 'linear', 'https://mcp.example/mcp').read(), /cannot be decrypted with security.tokenKey .*log in again/);
    assert.throws(() => new TokenStore({ dir }, 'linear', 'https://mcp.example/mcp').read(), /is encrypted: set security.tokenKey/);
    // Tampering is detected (AES-GCM).
    const box = JSON.parse(text);
    box.data = Buffer.from('{"resource":"x"}').toString('base64');
    writeFileSync(store.file, JSON.stringify(box));
    assert.throws(() => store.read(), /cannot be decrypted/);
  });

  it('runs one renewal at a time across stores of the same login', async () => {
    const a = new TokenStore({ dir }, 'linear', 'https://mcp.example/mcp');
    const b = new TokenStore({ dir }, 'linear', 'https://mcp.example/mcp');
    const order: string[] = [];
    const renewal = (name: string) => async () => {
      order.push(`${name} start`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      order.push(`${name} end`);
    };
    await Promise.all([a.locked(renewal('a')), b.locked(renewal('b'))]);
    assert.deepEqual(order, ['a start', 'a end', 'b start', 'b end']);
  });
});

describe('upstream OAuth config keys', () => {
  const load = (yaml: string) => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'mcproxy-oauth-config-')), 'mcproxy.yaml');
    writeFileSync(file, yaml);
    return loadConfig(file, {});
  };

  it('accepts oauth, credentials, tokenExchange and security.tokenKey as the issue names them', () => {
    const config = load(
      [
        'security: { tokenKey: k }',
        'upstreams:',
        '  linear:',
        '    url: https://mcp.example/mcp',
        '    oauth: { clientId: id, clientSecret: s, clientMetadataUrl: https://me.example/c.json, scopes: [read, write], grant: authorization_code, redirectPort: 8765 }',
        '    credentials: perUser',
        '    tokenExchange: { tokenEndpoint: https://idp.example/token, audience: https://mcp.example }',
      ].join('\n'),
    );
    const linear = config.upstreams[0] as { oauth?: { redirectPort: number; scopes?: string[] }; credentials?: string; tokenStore?: { key?: string } };
    assert.equal(linear.oauth?.redirectPort, 8765);
    assert.deepEqual(linear.oauth?.scopes, ['read', 'write']);
    assert.equal(linear.credentials, 'perUser');
    assert.equal(linear.tokenStore?.key, 'k');
  });

  it('names the key of a bad value', () => {
    try {
      load(['upstreams:', '  linear:', '    url: https://mcp.example/mcp', '    oauth: { grant: password }'].join('\n'));
      assert.fail('loaded');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.match(error.problems.map((p) => `${p.line} ${p.path} ${p.message}`).join('\n'), /4 upstreams\.linear\.oauth\.grant .*authorization_code.*client_credentials/);
    }
  });

  it('takes grant: jwt_bearer with its idp, and names what it lacks', () => {
    const upstream = (oauth: string) => ['upstreams:', '  linear:', '    url: https://mcp.example/mcp', `    oauth: ${oauth}`].join('\n');
    const config = load(upstream('{ grant: jwt_bearer, clientId: id, clientSecret: s, idp: { tokenEndpoint: https://idp.example/token, clientId: idp-id, idToken: t } }'));
    assert.equal((config.upstreams[0] as { oauth?: { idp?: { clientId: string } } }).oauth?.idp?.clientId, 'idp-id');
    const problems = (oauth: string) => {
      try {
        load(upstream(oauth));
        return 'loaded';
      } catch (error) {
        return (error as ConfigError).problems.map((p) => `${p.path} ${p.message}`).join('\n');
      }
    };
    assert.match(problems('{ grant: jwt_bearer, clientId: id }'), /upstreams\.linear\.oauth\.idp .*grant: jwt_bearer needs idp/);
    assert.match(problems('{ grant: jwt_bearer, idp: { tokenEndpoint: https://idp.example/token, clientId: c, idToken: t } }'), /oauth\.clientId .*grant: jwt_bearer needs the clientId/);
    assert.match(problems('{ idp: { tokenEndpoint: https://idp.example/token, clientId: c, idToken: t } }'), /oauth\.grant .*idp is used by grant: jwt_bearer only/);
  });
});
