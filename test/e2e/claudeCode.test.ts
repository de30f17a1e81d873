// Claude Code (from the npm registry, in a temp HOME, offline apart from npx's download) as the
// client: the README's `claude mcp add … -e VAR=… -- mcproxy --config FILE` line, then `claude mcp
// get` and `claude mcp list`, which connect and fetch the tools with a short timeout of their
// own. One upstream takes 30 s to start: the first list must not wait for it (issue 18: before,
// `get` said `tools fetch failed: Request timed out` for a config whose servers all work).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLAUDE_CODE } from '../helpers/clients.js';
import { CLI } from '../helpers/paths.js';
import { fixture } from '../helpers/upstreams.js';
import { stringify } from 'yaml';

const run = promisify(execFile);

describe('Claude Code as the client', function () {
  this.timeout(300_000); // the first run on a machine downloads Node 22 and Claude Code
  let home: string;
  const claude = async (...args: string[]) => {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
    delete env.MCPROXY_CONFIG;
    const { stdout } = await run('npx', [...CLAUDE_CODE, ...args], { cwd: path.join(home, 'project'), env });
    return stdout;
  };

  before(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-claude-home-'));
    mkdirSync(path.join(home, 'project'));
    writeFileSync(path.join(home, '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true }));
    writeFileSync(
      path.join(home, 'mcproxy.yaml'),
      stringify({
        upstreams: {
          ready: { ...fixture('crashing-server'), env: { TOKEN: '${TOKEN_FOR_CLAUDE_TEST}' } },
          slow: fixture('crashing-server', '--start-after', '30000'),
        },
      }),
    );
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  it('`claude mcp add -e` as the README writes it, then `mcp get` and `mcp list` say Connected, with one upstream still starting', async () => {
    const added = await claude('mcp', 'add', 'mcproxy', '-s', 'user', '-e', 'TOKEN_FOR_CLAUDE_TEST=t0k3n', '--', process.execPath, CLI, '--config', path.join(home, 'mcproxy.yaml'));
    assert.match(added, /Added stdio MCP server mcproxy/);

    const got = await claude('mcp', 'get', 'mcproxy');
    assert.match(got, /^ {2}Status: ✔ Connected$/m, got);
    assert.doesNotMatch(got, /failed|timed out/i);
    assert.match(got, /^ {2}Environment:\n {4}TOKEN_FOR_CLAUDE_TEST=t0k3n$/m, 'the secret goes in the entry’s env');

    const listed = await claude('mcp', 'list');
    assert.match(listed, /^mcproxy: .*main\.js --config .*mcproxy\.yaml - ✔ Connected$/m, listed);
  });
});
