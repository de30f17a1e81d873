// Where mcproxy looks for its config and keeps servers' data.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BUNDLED_CONFIG, dataDir, locateConfig, searchOrder, userConfigFile } from '../../src/config/locate.js';
import { ROOT } from '../helpers/paths.js';

describe('locateConfig', () => {
  let home: string;
  let cwd: string;
  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-home-'));
    cwd = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-cwd-'));
  });
  afterEach(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  });

  it('follows the documented order: --config, MCPROXY_CONFIG, ./mcproxy.yaml, user folder, bundled default', () => {
    const place = { env: {}, cwd, home, platform: 'linux' as const };
    assert.deepEqual(locateConfig(undefined, place), { file: BUNDLED_CONFIG, source: 'bundled default' });
    assert.equal(BUNDLED_CONFIG, path.join(ROOT, 'config', 'mcproxy.yaml'));

    const user = path.join(home, '.config', 'mcproxy', 'mcproxy.yaml');
    mkdirSync(path.dirname(user), { recursive: true });
    writeFileSync(user, 'upstreams: {}\n');
    assert.deepEqual(locateConfig(undefined, place), { file: user, source: 'user config folder' });

    writeFileSync(path.join(cwd, 'mcproxy.yaml'), 'upstreams: {}\n');
    assert.deepEqual(locateConfig(undefined, place), { file: path.join(cwd, 'mcproxy.yaml'), source: 'current folder' });

    const fromEnv = { ...place, env: { MCPROXY_CONFIG: '/elsewhere/p.yaml' } };
    assert.deepEqual(locateConfig(undefined, fromEnv), { file: '/elsewhere/p.yaml', source: 'MCPROXY_CONFIG' });
    assert.deepEqual(locateConfig('mine.yaml', fromEnv), { file: 'mine.yaml', source: '--config' });
  });

  it('uses XDG_CONFIG_HOME and APPDATA for the user folder, and lists every place in order', () => {
    assert.equal(userConfigFile({ env: { XDG_CONFIG_HOME: '/xdg' }, home, platform: 'linux' }), '/xdg/mcproxy/mcproxy.yaml');
    assert.equal(userConfigFile({ env: { APPDATA: 'C:\\Users\\me\\AppData\\Roaming' }, home, platform: 'win32' }), path.join('C:\\Users\\me\\AppData\\Roaming', 'mcproxy', 'mcproxy.yaml'));
    assert.equal(
      searchOrder({ env: {}, cwd, home, platform: 'linux' }),
      [
        '  1. --config FILE',
        '  2. $MCPROXY_CONFIG',
        `  3. ${path.join(cwd, 'mcproxy.yaml')}`,
        `  4. ${path.join(home, '.config', 'mcproxy', 'mcproxy.yaml')}`,
        `  5. ${BUNDLED_CONFIG} (bundled default)`,
      ].join('\n'),
    );
  });
});

describe('dataDir', () => {
  it('is MCPROXY_DATA_DIR, else the per-user data folder, never inside the package', () => {
    assert.equal(dataDir({ env: { MCPROXY_DATA_DIR: '/data' }, home: '/home/me', platform: 'linux' }), '/data');
    assert.equal(dataDir({ env: {}, home: '/home/me', platform: 'linux' }), '/home/me/.local/share/mcproxy');
    assert.equal(dataDir({ env: { XDG_DATA_HOME: '/xdg-data' }, home: '/home/me', platform: 'linux' }), '/xdg-data/mcproxy');
    assert.equal(dataDir({ env: { LOCALAPPDATA: 'C:\\L' }, home: 'C:\\Users\\me', platform: 'win32' }), path.join('C:\\L', 'mcproxy'));
  });
});
