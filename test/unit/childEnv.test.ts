// What a stdio upstream inherits of the proxy's environment (src/upstream/childEnv.ts).
import assert from 'node:assert/strict';
import { childEnvironment } from '../../src/upstream/childEnv.js';

const parent = {
  PATH: '/usr/bin',
  HTTPS_PROXY: 'http://proxy:3128',
  LC_ALL: 'C',
  npm_config_cache: '/tmp/npm',
  MCPROXY_LOG_LEVEL: 'debug',
  CONSERVER_API_TOKEN: 'conserver-secret',
  GITHUB_TOKEN: 'ghp_secret',
  ACME_HOME: '/opt/acme',
  ACME_TOKEN: 'acme-secret',
  BASH_FUNC_x: '() { echo; }',
  UNRELATED: 'x',
};

describe('a stdio upstream’s environment', () => {
  it('inherits the default list only: no MCPROXY_*, no CONSERVER_*, nothing unlisted', () => {
    assert.deepEqual(childEnvironment(parent, { inherit: [], withhold: [], env: {} }), {
      PATH: '/usr/bin',
      HTTPS_PROXY: 'http://proxy:3128',
      LC_ALL: 'C',
      npm_config_cache: '/tmp/npm',
    });
  });

  it('adds inheritEnv patterns, but a pattern never brings a ${VAR} of the config; an exact name does', () => {
    const env = childEnvironment(parent, { inherit: ['ACME_*'], withhold: ['ACME_TOKEN', 'GITHUB_TOKEN'], env: {} });
    assert.equal(env.ACME_HOME, '/opt/acme');
    assert.equal(env.ACME_TOKEN, undefined);
    assert.equal(childEnvironment(parent, { inherit: ['GITHUB_TOKEN'], withhold: ['GITHUB_TOKEN'], env: {} }).GITHUB_TOKEN, 'ghp_secret');
    assert.equal(childEnvironment(parent, { inherit: ['*'], withhold: ['GITHUB_TOKEN'], env: {} }).MCPROXY_LOG_LEVEL, undefined, '`*` still keeps the proxy’s own');
  });

  it('lets the upstream’s own env win, and skips exported shell functions', () => {
    const env = childEnvironment(parent, { inherit: ['*'], withhold: [], env: { PATH: '/opt/bin' } });
    assert.equal(env.PATH, '/opt/bin');
    assert.equal(env.BASH_FUNC_x, undefined);
  });
});
