// Config files of other MCP clients, pasted whole: they load, their clients' own keys are
// ignored with a note (never an error), and per-server keys are honoured where they mean something.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, formatProblems, loadConfigWithNotes } from '../../src/config/load.js';
import { isStdioUpstream } from '../../src/config/schema.js';

let folder: string;
beforeEach(() => (folder = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-clients-'))));
afterEach(() => rmSync(folder, { recursive: true, force: true }));

function write(relative: string, content: unknown): string {
  const file = path.join(folder, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

/** Each note as `line path: message`. */
const notesOf = (notes: { line?: number; path: string; message: string }[]) => notes.map((n) => `${n.line} ${n.path}: ${n.message}`);

describe('configs pasted from MCP clients', () => {
  it("loads a whole claude_desktop_config.json, noting Claude Desktop's own keys and Cline's per-server ones", () => {
    const file = write('claude_desktop_config.json', {
      globalShortcut: 'Ctrl+Space',
      mcpServers: {
        memory: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'], autoApprove: ['read_graph'] },
        retired: { command: 'old-server', disabled: true },
        kept: { command: 'server', disabled: false, alwaysAllow: [] },
      },
      preferences: { quickEntry: true },
    });

    const { config, notes } = loadConfigWithNotes(file, {});

    assert.deepEqual(config.upstreams.map((u) => u.name), ['memory', 'kept'], '`disabled: true` is honoured');
    assert.deepEqual(notesOf(notes), [
      '2 globalShortcut: ignored (not a server setting)',
      '10 mcpServers.memory.autoApprove: ignored (tool approval is up to the client that runs mcproxy)',
      '21 mcpServers.kept.alwaysAllow: ignored (tool approval is up to the client that runs mcproxy)',
      '24 preferences: ignored (not a server setting)',
    ]);
  });

  it("loads a VS Code .vscode/mcp.json: `servers`, `type`, `envFile` with ${workspaceFolder}, and notes `inputs`", () => {
    write('.env', 'API_TOKEN=from-env-file\nexport REGION="eu west"\n');
    const file = write('.vscode/mcp.json', {
      inputs: [{ type: 'promptString', id: 'token', description: 'Token', password: true }],
      servers: {
        local: { type: 'stdio', command: 'node', args: ['server.js'], envFile: '${workspaceFolder}/.env', env: { REGION: 'us' } },
        remote: { type: 'http', url: 'https://example.com/mcp', headers: { Authorization: 'Bearer ${TOKEN}' } },
        legacy: { type: 'sse', url: 'https://example.com/sse' },
      },
    });

    const { config, notes } = loadConfigWithNotes(file, { TOKEN: 't0k3n' });

    const [local, remote, legacy] = config.upstreams;
    assert.ok(local && isStdioUpstream(local));
    assert.deepEqual(local.env, { API_TOKEN: 'from-env-file', REGION: 'us' }, "the server's own `env` wins over its envFile");
    assert.ok(remote && !isStdioUpstream(remote));
    assert.equal(remote.transport, 'streamable-http');
    assert.deepEqual(remote.headers, { Authorization: 'Bearer t0k3n' });
    assert.ok(legacy && !isStdioUpstream(legacy));
    assert.equal(legacy.transport, 'sse');
    assert.deepEqual(notesOf(notes), [
      "2 inputs: ignored (VS Code's input prompts are not supported; put secrets in environment variables and write ${NAME})",
    ]);
  });

  it('loads a Cursor mcp.json and a Windsurf mcp_config.json (`serverUrl`)', () => {
    const cursor = write('cursor/mcp.json', { mcpServers: { github: { command: 'npx', args: ['-y', 'github-mcp'], env: { GITHUB_TOKEN: '${GITHUB_TOKEN}' } } } });
    const windsurf = write('windsurf/mcp_config.json', { mcpServers: { docs: { serverUrl: 'https://example.com/mcp' } } });

    const github = loadConfigWithNotes(cursor, { GITHUB_TOKEN: 'x' }).config.upstreams[0];
    assert.ok(github && isStdioUpstream(github));
    assert.deepEqual(github.env, { GITHUB_TOKEN: 'x' });
    const docs = loadConfigWithNotes(windsurf, {}).config.upstreams[0];
    assert.ok(docs && !isStdioUpstream(docs));
    assert.equal(docs.url, 'https://example.com/mcp');
  });

  it('says what is wrong with a VS Code input reference, a missing envFile and a `disabled` that is not a boolean', () => {
    const file = write('mcp.json', {
      servers: {
        a: { command: 'x', envFile: 'missing.env', disabled: 'yes' },
        b: { url: 'https://example.com/mcp', headers: { Authorization: '${input:token}' } },
      },
    });
    try {
      loadConfigWithNotes(file, {});
      assert.fail('expected problems');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems.map((p) => `${p.path}: ${p.message}`), [
        `servers.a.envFile: file not found: ${path.join(folder, 'missing.env')}`,
        'servers.a.disabled: expected true or false',
        'servers.b.headers.Authorization: `${input:token}` is a VS Code input prompt, which mcproxy cannot show: set an environment variable and write ${NAME}',
      ]);
    }
  });

  it("keeps mcproxy's own `upstreams:` strict: a stray key there is a typo, not another client's", () => {
    const file = write('mcproxy.yaml', 'upstreams:\n  a:\n    command: x\n    autoApprove: []\nglobalShortcut: x\n');
    try {
      loadConfigWithNotes(file, {});
      assert.fail('expected problems');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.match(formatProblems(error.problems), /4:5 upstreams\.a\.autoApprove: unknown key/);
      assert.match(formatProblems(error.problems), /5:1 globalShortcut: unknown key/);
    }
  });
});
