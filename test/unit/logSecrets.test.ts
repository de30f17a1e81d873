import assert from 'node:assert/strict';
import { configSecrets, REDACTED, SecretScrubber } from '../../src/logSecrets.js';
import type { ProxyConfig } from '../../src/config/schema.js';

describe('log secret scrubbing', () => {
  it('hides the config\'s credentials wherever they appear, longest first', () => {
    const config = {
      server: { auth: { apiKeys: ['team-key-123456', { key: 'ci-key-abcdefgh', profiles: ['ci'] }] } },
      upstreams: [
        { name: 'a', command: 'x', env: { GITHUB_TOKEN: 'ghp_secretvalue1', DEBUG: '1' } },
        { name: 'b', url: 'https://x', headers: { authorization: 'Token zzzzzzzzzzzz' } },
      ],
      telemetry: { otlp: { endpoint: 'http://c', headers: { 'x-honeycomb-team': 'hc-team-secret' } } },
    } as unknown as ProxyConfig;
    const secrets = configSecrets(config);
    assert.ok(secrets.includes('ghp_secretvalue1') && secrets.includes('zzzzzzzzzzzz') && secrets.includes('hc-team-secret'));
    assert.ok(!secrets.includes('1'), 'short values are not hidden everywhere');
    const scrubber = new SecretScrubber();
    scrubber.add(secrets);
    assert.equal(scrubber.scrub('child said ghp_secretvalue1 and team-key-123456'), `child said ${REDACTED} and ${REDACTED}`);
    assert.equal(scrubber.scrub('header Token zzzzzzzzzzzz'), `header ${REDACTED}`);
  });

  it('hides what looks like a credential: bearer tokens, URL passwords, tokens in query strings', () => {
    const scrubber = new SecretScrubber();
    assert.equal(scrubber.scrub('Authorization: Bearer eyJhbGciOi.abc.def'), `Authorization: Bearer ${REDACTED}`);
    assert.equal(scrubber.scrub('fetch https://user:hunter22@example.com/mcp failed'), `fetch https://user:${REDACTED}@example.com/mcp failed`);
    assert.equal(scrubber.scrub('GET https://x.test/sse?api_key=abc123&x=1'), `GET https://x.test/sse?api_key=${REDACTED}&x=1`);
    assert.equal(scrubber.scrub('connected to server 1.2.3'), 'connected to server 1.2.3');
    assert.equal(scrubber.scrub('open https://gw.test/connect/team?link=eyJ1.sig'), `open https://gw.test/connect/team?link=${REDACTED}`);
  });

  it('hides upstream OAuth secrets, the token key and the connect key', () => {
    const config = {
      server: { connectKey: 'connect-key-0123456789' },
      security: { tokenKey: 'token-key-0123456789' },
      upstreams: [
        { name: 'a', url: 'https://x', oauth: { clientSecret: 'client-secret-1', privateKey: '-----BEGIN PRIVATE KEY-----abc', idp: { clientSecret: 'idp-secret-123', idToken: 'eyJ.id-token.sig' } } },
      ],
    } as unknown as ProxyConfig;
    const secrets = configSecrets(config);
    for (const value of ['connect-key-0123456789', 'token-key-0123456789', 'client-secret-1', 'idp-secret-123', 'eyJ.id-token.sig']) assert.ok(secrets.includes(value), value);
  });
});
