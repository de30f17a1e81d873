// <data folder>/run: how `mcproxy reload` and `restart` find running proxies.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerRunning, runDir, runningProxies, socketPath } from '../../src/control/runtime.js';

describe('the running proxies folder', () => {
  it('lists live proxies, and removes the entry and the socket a killed proxy left behind', () => {
    const env = { MCPROXY_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'mcproxy-run-unit-')) };
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const config = path.resolve('mcproxy.yaml');
    registerRunning({ pid: process.pid, config, socket: socketPath(process.pid, env), started: 'now' }, env);
    registerRunning({ pid: dead, config, socket: socketPath(dead, env), started: 'then' }, env);
    writeFileSync(socketPath(dead, env), '');
    assert.deepEqual(runningProxies(config, env).map((entry) => entry.pid), [process.pid]);
    assert.ok(!existsSync(path.join(runDir(env), `${dead}.json`)) && !existsSync(socketPath(dead, env)), 'the dead proxy’s entry and socket are gone');
    assert.deepEqual(runningProxies(path.resolve('other.yaml'), env), []);
  });
});
