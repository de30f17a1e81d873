// `mcproxy init` against sample configs of every client it knows, in a temp HOME: found,
// converted (secrets out of the file and out of the output), installed with a backup, run
// through the installed entry, and undone byte for byte.
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { freePort } from '../helpers/net.js';
import { CLI, serverPackage } from '../helpers/paths.js';
import { toolNamesOnceListed } from '../helpers/proxy.js';

const GITHUB_TOKEN = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';
const SEARCH_TOKEN = 'sk-live-abcdef0123456789abcdef';
const FETCH_KEY = 'abc123secretvalue';
const CONTEXT7_KEY = 'ctx7sk-0123456789abcdef0123456789';
const SECRETS = [GITHUB_TOKEN, SEARCH_TOKEN, FETCH_KEY, CONTEXT7_KEY];

describe('mcproxy init', function () {
  this.timeout(90_000); // the install test starts mcproxy twice, for a client of each protocol era
  let home: string;
  let project: string;
  let claudeFile: string;
  let claudeOriginal: string;
  let vscodeFile: string;

  /** Runs `mcproxy init ARGS` as a user would, in the project folder with HOME at the sample home. */
  function init(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, MCPROXY_LOG_LEVEL: 'warn' };
    delete env.XDG_CONFIG_HOME;
    const run = spawnSync(process.execPath, [CLI, 'init', ...args], { cwd: project, env, encoding: 'utf8' });
    for (const secret of SECRETS) {
      assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), `init ${args.join(' ')} printed a secret`);
    }
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  function write(file: string, text: string): string {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  }

  before(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-home-'));
    project = path.join(home, 'project');
    mkdirSync(project);
    const closedPort = await freePort();
    claudeOriginal = JSON.stringify(
      {
        globalShortcut: 'Ctrl+Space',
        mcpServers: {
          memory: { command: process.execPath, args: [serverPackage('memory')], env: { MEMORY_FILE_PATH: path.join(home, 'memory.jsonl') } },
          github: { command: 'mcproxy-test-absent-github', args: ['--stdio'], env: { GITHUB_PERSONAL_ACCESS_TOKEN: GITHUB_TOKEN } },
        },
      },
      null,
      2,
    );
    claudeFile = write(path.join(home, '.config/Claude/claude_desktop_config.json'), claudeOriginal);
    write(
      path.join(home, '.claude.json'),
      JSON.stringify({
        numStartups: 3,
        mcpServers: { time: { type: 'stdio', command: 'mcproxy-test-absent-time' } },
        // Claude Code's default scope (`claude mcp add` without -s): this folder's servers.
        projects: { [project]: { allowedTools: [], mcpServers: { weather: { type: 'stdio', command: 'mcproxy-test-absent-weather' } } } },
      }),
    );
    // Gemini CLI: `httpUrl` is Streamable HTTP; a header named after its server.
    write(
      path.join(home, '.gemini/settings.json'),
      JSON.stringify({ theme: 'Default', mcpServers: { context7: { httpUrl: `http://127.0.0.1:${closedPort}/mcp`, headers: { CONTEXT7_API_KEY: CONTEXT7_KEY } } } }),
    );
    write(
      path.join(home, '.cursor/mcp.json'),
      JSON.stringify({ mcpServers: { search: { url: `http://127.0.0.1:${closedPort}/mcp`, headers: { Authorization: `Bearer ${SEARCH_TOKEN}` } } } }),
    );
    vscodeFile = write(
      path.join(home, '.config/Code/User/mcp.json'),
      [
        '{',
        '  // VS Code keeps comments and trailing commas',
        '  "inputs": [{ "type": "promptString", "id": "brave-key", "password": true }],',
        '  "servers": {',
        '    "brave": { "type": "stdio", "command": "mcproxy-test-absent-brave", "env": { "BRAVE_API_KEY": "${input:brave-key}" } },',
        '  },',
        '}',
      ].join('\n'),
    );
    write(path.join(home, '.codeium/windsurf/mcp_config.json'), JSON.stringify({ mcpServers: { docs: { serverUrl: `http://127.0.0.1:${closedPort}/docs` } } }));
    write(
      path.join(home, '.config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json'),
      JSON.stringify({ mcpServers: { fetch: { command: 'mcproxy-test-absent-fetch', args: ['--api-key', FETCH_KEY], disabled: true, autoApprove: [] } } }),
    );
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  it('--dry-run shows every client config found and the mcproxy.yaml it would write, and writes nothing', () => {
    const { status, stdout } = init('--dry-run');
    assert.equal(status, 0);
    for (const [client, servers] of [
      ['claude-desktop', 'memory, github'],
      ['claude-code', 'time, weather'],
      ['cursor', 'search'],
      ['vscode', 'brave'],
      ['windsurf', 'docs'],
      ['cline', 'fetch'],
      ['gemini', 'context7'],
    ]) {
      assert.match(stdout, new RegExp(`^  ${client} +\\S+ +\\(\\d server\\(s\\): ${servers}\\)$`, 'm'));
    }
    assert.match(stdout, /^Would write .*mcproxy\.yaml:$/m);
    assert.match(stdout, /GITHUB_PERSONAL_ACCESS_TOKEN: \$\{GITHUB_PERSONAL_ACCESS_TOKEN\}/);
    assert.deepEqual(readdirSync(project), []);
  });

  it('writes mcproxy.yaml with every server, secrets as ${VAR} references listed in .env.example', () => {
    const { status, stdout } = init();
    assert.equal(status, 0, stdout);
    assert.match(stdout, /^Moved secrets to variables: GITHUB_PERSONAL_ACCESS_TOKEN, SEARCH_AUTHORIZATION, FETCH_SECRET, CONTEXT7_API_KEY, BRAVE_KEY \(values not shown/m);
    assert.match(stdout, /^Tool pinning is on: .*`mcproxy pins accept SERVER:TOOL` takes it\. `security\.onToolChange: warn` serves changes with a warning instead\.$/m);

    const text = readFileSync(path.join(project, 'mcproxy.yaml'), 'utf8');
    const envExample = readFileSync(path.join(project, '.env.example'), 'utf8');
    for (const secret of SECRETS) assert.ok(!text.includes(secret) && !envExample.includes(secret), 'no secret value is written');
    const { upstreams } = parse(text) as { upstreams: Record<string, Record<string, unknown>> };
    assert.deepEqual(Object.keys(upstreams), ['memory', 'github', 'time', 'weather', 'search', 'brave', 'docs', 'fetch', 'context7']);
    assert.deepEqual(upstreams.context7, { url: upstreams.context7?.url, transport: 'streamable-http', headers: { CONTEXT7_API_KEY: '${CONTEXT7_API_KEY}' } }, 'no CONTEXT7_CONTEXT7_API_KEY');
    assert.deepEqual(upstreams.github?.env, { GITHUB_PERSONAL_ACCESS_TOKEN: '${GITHUB_PERSONAL_ACCESS_TOKEN}' });
    assert.deepEqual(upstreams.search?.headers, { Authorization: 'Bearer ${SEARCH_AUTHORIZATION}' });
    assert.deepEqual(upstreams.brave?.env, { BRAVE_API_KEY: '${BRAVE_KEY:-}' });
    assert.deepEqual(upstreams.docs, { url: upstreams.docs?.url });
    assert.deepEqual(upstreams.fetch, { command: 'mcproxy-test-absent-fetch', args: ['--api-key', '${FETCH_SECRET}'], enabled: false });
    assert.match(envExample, /^GITHUB_PERSONAL_ACCESS_TOKEN=$/m);
    assert.match(envExample, /^BRAVE_KEY=$/m);

    // It is a valid config once the variables are set.
    const validate = spawnSync(process.execPath, [CLI, 'validate', '--config', path.join(project, 'mcproxy.yaml')], {
      encoding: 'utf8',
      env: { ...process.env, GITHUB_PERSONAL_ACCESS_TOKEN: 'x', SEARCH_AUTHORIZATION: 'y', FETCH_SECRET: 'z', CONTEXT7_API_KEY: 'c' },
    });
    assert.equal(validate.status, 0, validate.stderr);

    const again = init();
    assert.equal(again.status, 2, 'an existing mcproxy.yaml is never overwritten');
    assert.match(again.stderr, /mcproxy\.yaml already exists: give another path with --output, or remove it first/);
  });

  it('--install --dry-run shows the change as a diff with secrets masked, and changes nothing', () => {
    const { status, stdout } = init('--install', 'claude-desktop', '--dry-run');
    assert.equal(status, 0);
    assert.match(stdout, /^-    "github": \{$/m);
    assert.match(stdout, /^\+    "mcproxy": \{$/m);
    assert.match(stdout, /^[ +-]        "GITHUB_PERSONAL_ACCESS_TOKEN": "\*\*\*"$/m, 'the secret, masked');
    assert.match(stdout, /^Would copy 1 secret\(s\) into the env of Claude Desktop's mcproxy entry: GITHUB_PERSONAL_ACCESS_TOKEN \(from github env GITHUB_PERSONAL_ACCESS_TOKEN\)\.$/m);
    assert.equal(readFileSync(claudeFile, 'utf8'), claudeOriginal);
  });

  it('--install points the client at mcproxy with a backup, and the client reaches its servers through it', async () => {
    const { status, stdout } = init('--install', 'claude-desktop');
    assert.equal(status, 0, stdout);
    const backups = readdirSync(path.dirname(claudeFile)).filter((name) => name.startsWith('claude_desktop_config.json.mcproxy-backup-'));
    assert.equal(backups.length, 1);
    assert.match(backups[0]!, /\.mcproxy-backup-\d{8}T\d{6}Z$/);
    assert.equal(readFileSync(path.join(path.dirname(claudeFile), backups[0]!), 'utf8'), claudeOriginal);

    const installed = JSON.parse(readFileSync(claudeFile, 'utf8')) as { globalShortcut: string; mcpServers: Record<string, { command: string; args: string[]; env: Record<string, string> }> };
    assert.equal(installed.globalShortcut, 'Ctrl+Space', "the client's other settings stay");
    assert.deepEqual(Object.keys(installed.mcpServers), ['mcproxy']);
    const entry = installed.mcpServers.mcproxy!;
    assert.deepEqual(entry.args, [CLI, '--config', path.join(project, 'mcproxy.yaml')]);
    assert.deepEqual(entry.env, { GITHUB_PERSONAL_ACCESS_TOKEN: GITHUB_TOKEN }, "its own secrets live where they were, and no other client's come along");
    assert.match(stdout, /^Copied 1 secret\(s\) into the env of Claude Desktop's mcproxy entry: GITHUB_PERSONAL_ACCESS_TOKEN \(from github env GITHUB_PERSONAL_ACCESS_TOKEN\)\.$/m);

    const again = init('--install', 'claude-desktop');
    assert.equal(again.status, 2);
    assert.match(again.stderr, /claude_desktop_config\.json already starts mcproxy: `mcproxy init --undo claude-desktop` restores the original first/);
    assert.equal(readdirSync(path.dirname(claudeFile)).filter((name) => name.includes('.mcproxy-backup-')).length, 1, 'no backup of the installed file');

    // Launched the way Claude Desktop would: memory works, the absent servers do not stop it.
    const client = new Client({ name: 'claude-desktop-like', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: entry.command, args: entry.args, env: { ...entry.env, PATH: process.env.PATH!, MCPROXY_LOG_LEVEL: 'error' }, stderr: 'ignore' }));
    try {
      // The installed config has the 2 s firstListWaitMs: on a loaded machine memory may be listed later.
      await toolNamesOnceListed(client, ['memory__read_graph']);
    } finally {
      await client.close();
    }
    // A 2026-07-28 client (server/discover, no initialize) reaches them through the same entry.
    const modern = new Client({ name: 'modern-desktop-like', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await modern.connect(new StdioClientTransport({ command: entry.command, args: entry.args, env: { ...entry.env, PATH: process.env.PATH!, MCPROXY_LOG_LEVEL: 'error' }, stderr: 'ignore' }));
    try {
      assert.equal(modern.getNegotiatedProtocolVersion(), '2026-07-28');
      await toolNamesOnceListed(modern, ['memory__read_graph']);
    } finally {
      await modern.close();
    }
  });

  it('--install keeps the comments of a VS Code mcp.json and writes a stdio `servers` entry', () => {
    const { status } = init('--install', 'vscode');
    assert.equal(status, 0);
    const text = readFileSync(vscodeFile, 'utf8');
    assert.match(text, /\/\/ VS Code keeps comments and trailing commas/);
    assert.match(text, /"servers": \{\s+"mcproxy": \{\s+"type": "stdio",\s+"command": /);
    assert.match(text, /"inputs": \[/);
  });

  it('--install claude-code writes the user scope and empties this folder\'s local scope, which it imported', () => {
    const claudeCode = path.join(home, '.claude.json');
    const { status, stdout } = init('--install', 'claude-code');
    assert.equal(status, 0, stdout);
    assert.match(stdout, /^Importing claude-code's servers only \(--all imports every client's\)\.$/m);
    const installed = JSON.parse(readFileSync(claudeCode, 'utf8')) as { mcpServers: Record<string, unknown>; projects: Record<string, { mcpServers: Record<string, unknown>; allowedTools: unknown[] }> };
    assert.deepEqual(Object.keys(installed.mcpServers), ['mcproxy']);
    assert.deepEqual(installed.projects[project]!.mcpServers, {});
    assert.deepEqual(installed.projects[project]!.allowedTools, [], 'the rest of the project entry stays');
    assert.equal(init('--undo', 'claude-code').status, 0);
  });

  it('with no client config at all, says where it looked and exits 2, as the README says', () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-empty-home-'));
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: empty };
    delete env.XDG_CONFIG_HOME;
    const run = spawnSync(process.execPath, [CLI, 'init'], { cwd: empty, env, encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^mcproxy init: no MCP client config found\. Looked for:$/m);
    assert.match(run.stderr, /Gemini CLI: .*\.gemini\/settings\.json/);
    rmSync(empty, { recursive: true, force: true });
  });

  it('--undo puts the original back byte for byte, and says so when there is nothing to undo', () => {
    const { status, stdout } = init('--undo', 'claude-desktop');
    assert.equal(status, 0);
    assert.match(stdout, /^Restored .*claude_desktop_config\.json from .*\.mcproxy-backup-\d{8}T\d{6}Z\. Restart Claude Desktop to use it\.$/m);
    assert.equal(readFileSync(claudeFile, 'utf8'), claudeOriginal);
    assert.ok(!readdirSync(path.dirname(claudeFile)).some((name) => name.includes('mcproxy-backup')));

    const nothing = init('--undo', 'claude-desktop');
    assert.equal(nothing.status, 2);
    assert.match(nothing.stderr, /^mcproxy init: no backup of Claude Desktop's config found \(looked for .*claude_desktop_config\.json\.mcproxy-backup-\*\)$/m);
    assert.ok(existsSync(claudeFile));
  });
});
