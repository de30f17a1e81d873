// The Gemini CLI (from the npm registry, in a temp HOME) as the client: its own server in
// ~/.gemini/settings.json, `mcproxy init --install gemini`, then `gemini mcp list` connects to
// mcproxy, which serves that server.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GEMINI_CLI } from '../helpers/clients.js';
import { CLI } from '../helpers/paths.js';
import { fixture } from '../helpers/upstreams.js';

const run = promisify(execFile);

describe('the Gemini CLI as the client', function () {
  this.timeout(300_000); // the first run on a machine downloads Node 22 and the Gemini CLI
  let home: string;
  let project: string;
  const env = (): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, MCPROXY_LOG_LEVEL: 'warn' };
    delete env.XDG_CONFIG_HOME;
    delete env.MCPROXY_CONFIG;
    return env;
  };

  before(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-gemini-home-'));
    project = path.join(home, 'project');
    mkdirSync(path.join(home, '.gemini'), { recursive: true });
    mkdirSync(project);
    const echo = fixture('crashing-server');
    writeFileSync(path.join(home, '.gemini', 'settings.json'), JSON.stringify({ mcpServers: { echo: { command: echo.command, args: echo.args } } }, null, 2));
    // Gemini runs no MCP server in a folder it does not trust.
    writeFileSync(path.join(home, '.gemini', 'trustedFolders.json'), JSON.stringify({ [project]: 'TRUST_FOLDER' }));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  it('`mcproxy init --install gemini` rewrites settings.json, and `gemini mcp list` connects to mcproxy', async () => {
    const installed = spawnSync(process.execPath, [CLI, 'init', '--install', 'gemini'], { cwd: project, env: env(), encoding: 'utf8' });
    assert.equal(installed.status, 0, installed.stderr);
    assert.match(installed.stdout, /^ {2}gemini +\S+settings\.json +\(1 server\(s\): echo\)$/m);
    const settings = JSON.parse(readFileSync(path.join(home, '.gemini', 'settings.json'), 'utf8')) as { mcpServers: Record<string, { args: string[] }> };
    assert.deepEqual(Object.keys(settings.mcpServers), ['mcproxy']);

    // It prints its list on stderr.
    const { stdout, stderr } = await run('npx', [...GEMINI_CLI, 'mcp', 'list'], { cwd: project, env: env() });
    assert.match(stdout + stderr, /^✓ mcproxy: .*main\.js --config .*mcproxy\.yaml \(stdio\) - Connected$/m, stdout + stderr);
  });
});
