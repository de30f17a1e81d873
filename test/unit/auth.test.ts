// The pure parts of inbound auth: key matching, profile entitlement, the anonymous-bind rule,
// and the config checks on server.auth / server.limits.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, formatProblems, loadConfig } from '../../src/config/load.js';
import { apiKeyMatcher } from '../../src/downstream/auth/apiKeys.js';
import { anonymousBindRefusal } from '../../src/downstream/auth/authFilter.js';
import { mayUseProfile, profileFor, profilesFromClaim } from '../../src/downstream/auth/identity.js';

describe('apiKeyMatcher', () => {
  const match = apiKeyMatcher(['alpha-key', { key: 'beta-key', profiles: ['ci'] }]);

  it('maps each configured key to an identity that does not contain the key', () => {
    assert.deepEqual(match('alpha-key'), { subject: 'apiKey#1' });
    assert.deepEqual(match('beta-key'), { subject: 'apiKey#2', profiles: ['ci'] });
  });

  it('matches nothing else: prefixes, extensions, other case, empty', () => {
    for (const wrong of ['alpha', 'alpha-key ', 'ALPHA-KEY', '', 'beta-keyy']) assert.equal(match(wrong), undefined, wrong);
  });
});

describe('profileFor: the profile a session gets at a path', () => {
  const known = ['ci', 'dev', 'ops'];
  const ci = { subject: 'apiKey#2', profiles: ['ci'] };

  it('gives an unrestricted identity (or none) what it asks for, and the default at the plain path', () => {
    assert.deepEqual(profileFor(undefined, 'dev', undefined, known), { profile: 'dev' });
    assert.deepEqual(profileFor({ subject: 'apiKey#1' }, undefined, 'ops', known), { profile: 'ops' });
    assert.deepEqual(profileFor({ subject: 'apiKey#1' }, undefined, undefined, known), { profile: undefined });
  });

  it('chooses a bound identity\'s profile at the plain path: the default if it may, else its first', () => {
    assert.deepEqual(profileFor(ci, undefined, undefined, known), { profile: 'ci' });
    assert.deepEqual(profileFor({ subject: 't', profiles: ['dev', 'ops'] }, undefined, 'ops', known), { profile: 'ops' });
    assert.deepEqual(profileFor({ subject: 't', profiles: ['dev', 'ops'] }, undefined, 'ci', known), { profile: 'dev' });
  });

  it('refuses a profile path the identity is not bound to, and an identity whose profiles the proxy lacks', () => {
    assert.deepEqual(profileFor(ci, 'ci', undefined, known), { profile: 'ci' });
    assert.deepEqual(profileFor(ci, 'ops', undefined, known), { refused: "Forbidden: apiKey#2 may not use profile 'ops'" });
    assert.deepEqual(profileFor({ subject: 'token:bob', profiles: ['admin'] }, undefined, undefined, known), {
      refused: 'Forbidden: token:bob may use no profile of this proxy',
    });
  });
});

describe('mayUseProfile and profilesFromClaim', () => {
  it('lets an unrestricted identity (or no auth) use any profile and the default endpoint', () => {
    assert.ok(mayUseProfile(undefined, 'ci'));
    assert.ok(mayUseProfile({ subject: 'apiKey#1' }, 'ci'));
    assert.ok(mayUseProfile({ subject: 'apiKey#1' }, undefined));
  });

  it('confines a bound identity to its profiles, the default endpoint included', () => {
    const ci = { subject: 'apiKey#2', profiles: ['ci'] };
    assert.ok(mayUseProfile(ci, 'ci'));
    assert.ok(!mayUseProfile(ci, 'admin'));
    assert.ok(!mayUseProfile(ci, undefined));
  });

  it('reads profiles from a claim given as a string, a spaced or comma list, or an array', () => {
    assert.deepEqual(profilesFromClaim({ profile: 'ci' }, 'profile'), ['ci']);
    assert.deepEqual(profilesFromClaim({ profile: 'ci dev,ops' }, 'profile'), ['ci', 'dev', 'ops']);
    assert.deepEqual(profilesFromClaim({ profile: ['ci', 3, ''] }, 'profile'), ['ci']);
  });

  it('leaves a token without the claim unrestricted, and one with an unusable claim with no profile', () => {
    assert.equal(profilesFromClaim({ sub: 'a' }, 'profile'), undefined);
    assert.equal(profilesFromClaim({ profile: 'ci' }, undefined), undefined);
    assert.deepEqual(profilesFromClaim({ profile: { x: 1 } }, 'profile'), []);
    assert.ok(!mayUseProfile({ subject: 't', profiles: [] }, 'ci'));
  });
});

describe('anonymousBindRefusal', () => {
  it('allows loopback binds without auth', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1']) assert.equal(anonymousBindRefusal(host, undefined), undefined);
  });

  it('refuses other binds unless keys, OAuth or allowAnonymous are configured', () => {
    assert.match(anonymousBindRefusal('0.0.0.0', undefined)!, /allowAnonymous: true/);
    assert.match(anonymousBindRefusal('10.0.0.5', { header: 'authorization', allowAnonymous: false, apiKeys: [] })!, /refusing/);
    assert.equal(anonymousBindRefusal('0.0.0.0', { header: 'authorization', allowAnonymous: true }), undefined);
    assert.equal(anonymousBindRefusal('0.0.0.0', { header: 'authorization', allowAnonymous: false, apiKeys: ['k'] }), undefined);
  });
});

describe('server.auth and server.limits in the config', () => {
  let folder: string;
  beforeEach(() => (folder = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-auth-'))));
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  const load = (lines: string[], env: NodeJS.ProcessEnv = {}) => {
    const file = path.join(folder, 'mcproxy.yaml');
    writeFileSync(file, [...lines, 'upstreams:', '  a: { command: x }'].join('\n') + '\n');
    return loadConfig(file, env);
  };
  const problems = (lines: string[]) => {
    try {
      load(lines);
    } catch (error) {
      if (error instanceof ConfigError) return formatProblems(error.problems);
      throw error;
    }
    return assert.fail('expected the config to be rejected');
  };

  it('refuses a plain-http issuer or JWKS URL unless it is on loopback, naming line and key', () => {
    const text = problems([
      'server:',
      '  auth:',
      '    oauth:',
      '      issuer: http://auth.example.com',
      '      jwksUrl: http://auth.example.com/jwks.json',
    ]);
    assert.match(text, /mcproxy\.yaml:4:\d+ server\.auth\.oauth\.issuer: expected an https:\/\/ URL/);
    assert.match(text, /mcproxy\.yaml:5:\d+ server\.auth\.oauth\.jwksUrl: expected an https:\/\/ URL/);
    assert.equal(load(['server:', '  auth:', '    oauth: { issuer: "http://127.0.0.1:9000" }']).server.auth?.oauth?.issuer, 'http://127.0.0.1:9000');
  });

  it('takes limits from the environment as numbers, and defaults the rest', () => {
    const config = load(
      ['server:', '  limits:', '    maxSessions: ${MAX}', '    rateLimit: { perSecond: "${RATE}", burst: 4 }', '  auth: { allowAnonymous: "${ANON}" }'],
      { MAX: '7', RATE: '2', ANON: 'true' },
    );
    assert.equal(config.server.limits.maxSessions, 7);
    assert.deepEqual(config.server.limits.rateLimit, { perSecond: 2, burst: 4 });
    assert.equal(config.server.limits.maxBodyBytes, 4 * 1024 * 1024);
    assert.equal(config.server.auth?.allowAnonymous, true);
  });

  it('refuses an empty API key and a non-positive limit', () => {
    const text = problems(['server:', '  auth: { apiKeys: ["${KEY:-}"] }', '  limits: { maxDepth: 0 }']);
    assert.match(text, /server\.auth\.apiKeys\[0\]: expected a non-empty string, got the value of \$\{KEY\} \(not shown\)/);
    assert.match(text, /server\.limits\.maxDepth: expected a positive integer/);
  });

  it('refuses an API key bound to a profile the config does not define, at its line', () => {
    const text = problems(['server:', '  auth:', '    apiKeys:', '      - { key: abc, profiles: [ci, nope] }', 'profiles:', '  ci: {}']);
    assert.match(text, /mcproxy\.yaml:4:\d+ server\.auth\.apiKeys\[0\]\.profiles\[1\]: no profile named "nope" \(profiles: ci\)/);
    assert.doesNotMatch(text, /profiles\[0\]/);
  });
});
