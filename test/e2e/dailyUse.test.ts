// What a user meets on the command line after `mcproxy init` (issue 18): a `.env` beside the
// config is read, an unset secret disables only its upstream (while `validate` still reports
// it), `list` says which config it read, failures are logged once, and recording is announced.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../helpers/net.js';
import { CLI, ROOT } from '../helpers/paths.js';
import { startHttpProxy, writeConfig } from '../helpers/proxy.js';
import { fixture } from '../helpers/upstreams.js';

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, MCPROXY_LOG_LEVEL: 'warn', ...env }, timeout: 30_000 });
}

describe('secrets after init', function () {
  this.timeout(60_000);
  const configWith = () =>
    writeConfig({
      upstreams: {
        plain: fixture('crashing-server'),
        github: { ...fixture('crashing-server'), env: { GITHUB_TOKEN: '${GITHUB_TOKEN_FOR_TEST}' } },
        search: { ...fixture('crashing-server'), env: { API_KEY: '${SEARCH_KEY_FOR_TEST}' } },
      },
    });

  it('an unset secret disables only its upstream, in one line naming the variable and the .env to set it in', () => {
    const file = configWith();
    const listed = cli(['list', '--json', '--config', file]);
    assert.equal(listed.status, 0, listed.stderr);
    const names = (JSON.parse(listed.stdout) as { entries: Array<{ name: string }> }).entries.map((entry) => entry.name);
    assert.ok(names.includes('plain__echo'), 'the upstream without secrets runs');
    assert.ok(!names.some((name) => name.startsWith('github__') || name.startsWith('search__')));
    const envFile = path.join(path.dirname(file), '.env');
    for (const [upstream, variable] of [['github', 'GITHUB_TOKEN_FOR_TEST'], ['search', 'SEARCH_KEY_FOR_TEST']]) {
      const lines = listed.stderr.split('\n').filter((line) => line.includes(`upstream ${upstream} is disabled`));
      assert.equal(lines.length, 1, listed.stderr);
      assert.match(lines[0]!, new RegExp(`mcproxy\\.yaml:\\d+:\\d+ upstreams\\.${upstream}\\.env\\.\\w+: upstream ${upstream} is disabled: environment variable ${variable} is not set \\(set it in ${envFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} or in the environment that starts mcproxy\\)`));
    }
  });

  it('validate still reports every unset secret, and exits 2', () => {
    const checked = cli(['validate', '--config', configWith()]);
    assert.equal(checked.status, 2);
    assert.match(checked.stderr, /upstreams\.github\.env\.GITHUB_TOKEN: environment variable GITHUB_TOKEN_FOR_TEST is not set/);
    assert.match(checked.stderr, /upstreams\.search\.env\.API_KEY: environment variable SEARCH_KEY_FOR_TEST is not set/);
  });

  it('reads .env beside the config', () => {
    const file = configWith();
    writeFileSync(path.join(path.dirname(file), '.env'), 'GITHUB_TOKEN_FOR_TEST=from-dotenv\nSEARCH_KEY_FOR_TEST="from-dotenv"\n');
    assert.equal(cli(['validate', '--config', file]).status, 0);
    const listed = cli(['list', '--json', '--config', file]);
    assert.equal(listed.status, 0, listed.stderr);
    const names = (JSON.parse(listed.stdout) as { entries: Array<{ name: string }> }).entries.map((entry) => entry.name);
    assert.ok(names.includes('github__echo') && names.includes('search__echo'));
    assert.doesNotMatch(listed.stderr, /disabled/);
  });
});

describe('list and the log say what they work from', function () {
  this.timeout(60_000);

  it('`list` names the config it read and where it came from', () => {
    const file = writeConfig({ upstreams: { plain: fixture('crashing-server') } });
    const listed = cli(['list', '--config', file]);
    assert.equal(listed.status, 0);
    assert.match(listed.stderr, new RegExp(`^mcproxy list: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(--config\\)$`, 'm'));
  });

  it('`list` says at once that an upstream is still starting, with its stderr so far, then lists it', () => {
    // legacy: under `protocol: auto` a first start's probe runs on a sibling process whose stderr the SDK discards.
    const listed = cli(['list', '--config', writeConfig({ upstreams: { slow: { ...fixture('crashing-server', '--start-after', '6000'), protocol: 'legacy' } } })]);
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stderr, /warn \[upstream=slow\] still starting after 5 s \(last stderr: crashing-server: warming up for 6000 ms\)/);
    assert.match(listed.stdout, /^tool +slow__echo +← +slow\/echo$/m);
  });

  it('a remote upstream that cannot be reached is logged once', async () => {
    const port = await freePort();
    const listed = cli(['list', '--config', writeConfig({ upstreams: { gone: { url: `http://127.0.0.1:${port}/mcp` } } })]);
    assert.equal(listed.status, 1);
    assert.equal(listed.stderr.split('\n').filter((line) => line.includes('[upstream=gone]')).length, 1, listed.stderr);
  });

  it('the bundled default config says at start that it records every session as a vCon, and where', async () => {
    const dataDir = path.dirname(writeConfig({}));
    const proxy = await startHttpProxy(path.join(ROOT, 'config', 'mcproxy.yaml'), [], { MCPROXY_DATA_DIR: dataDir, MCPROXY_LOG_LEVEL: 'info' });
    try {
      assert.match(proxy.stderr(), new RegExp(`warn recording every session \\(each message, both ways\\) as a vCon into ${path.join(dataDir, 'vcons').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: the \`vcon:\` section of .*config/mcproxy\\.yaml; \`vcon\\.enabled: false\` \\(or a config without it\\) records nothing`));
    } finally {
      await proxy.stop();
    }
  });
});
