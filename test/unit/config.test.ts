import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expandEnv } from '../../src/config/env.js';
import { ConfigError, formatProblems, loadConfig, type ConfigProblem } from '../../src/config/load.js';
import { isStdioUpstream, type UpstreamConfig } from '../../src/config/schema.js';

let folder: string;

beforeEach(() => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-config-'));
});

afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

/** Writes `lines` (joined with newlines) to a file in the test folder and returns its path. */
function writeConfig(name: string, lines: string[]): string {
  const file = path.join(folder, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** The problems loadConfig reports; fails the test if it loads. */
function problemsOf(file: string, env: NodeJS.ProcessEnv = {}): ConfigProblem[] {
  try {
    loadConfig(file, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return assert.fail(`expected ${file} to be rejected`);
}

function upstreamNamed(upstreams: UpstreamConfig[], name: string): UpstreamConfig {
  const upstream = upstreams.find((candidate) => candidate.name === name);
  assert.ok(upstream, `no upstream named ${name}`);
  return upstream;
}

describe('loadConfig', () => {
  describe('valid files', () => {
    it('normalizes a YAML config and fills in defaults', () => {
      const file = writeConfig('mcproxy.yaml', [
        'upstreams:',
        '  everything:',
        '    command: npx',
        '    args: [-y, "@modelcontextprotocol/server-everything"]',
        '  files:',
        '    command: ./serve-files',
        '    cwd: servers/files',
        '  remote:',
        '    url: https://example.com/mcp',
        '    namespace: ""',
        '    shared: true',
        '  retired:',
        '    command: old-server',
        '    enabled: false',
      ]);

      const config = loadConfig(file, {});

      assert.equal(config.file, file);
      assert.ok(path.isAbsolute(config.file));
      assert.deepEqual(
        { transport: config.server.transport, host: config.server.host, port: config.server.port, path: config.server.path },
        { transport: 'stdio', host: '127.0.0.1', port: 8808, path: '/mcp' },
      );
      assert.deepEqual(
        config.upstreams.map((upstream) => upstream.name),
        ['everything', 'files', 'remote'],
        'disabled upstreams are dropped',
      );

      const everything = upstreamNamed(config.upstreams, 'everything');
      assert.ok(isStdioUpstream(everything));
      assert.equal(everything.namespace, 'everything');
      assert.equal(everything.shared, false);
      assert.equal(everything.timeoutMs, 60_000);
      assert.deepEqual(everything.args, ['-y', '@modelcontextprotocol/server-everything']);
      assert.equal(everything.cwd, undefined, 'no cwd: the child inherits the proxy cwd');

      const files = upstreamNamed(config.upstreams, 'files');
      assert.ok(isStdioUpstream(files));
      assert.equal(files.cwd, path.join(folder, 'servers', 'files'), 'relative cwd resolves against the config folder');

      const remote = upstreamNamed(config.upstreams, 'remote');
      assert.ok(!isStdioUpstream(remote));
      assert.equal(remote.namespace, '');
      assert.equal(remote.shared, true);
    });

    it('loads an mcpServers file pasted from Claude Desktop', () => {
      const file = writeConfig('claude_desktop_config.json', [
        '{',
        '\t"mcpServers": {',
        '\t\t"filesystem": {',
        '\t\t\t"command": "npx",',
        '\t\t\t"args": ["-y", "@modelcontextprotocol/server-filesystem", "/Users/me/Desktop"],',
        '\t\t\t"env": { "DEBUG": "1" },',
        '\t\t\t"type": "stdio"',
        '\t\t},',
        '\t\t"notes": { "type": "sse", "url": "https://example.com/sse", "headers": { "X-Team": "docs" } },',
        '\t\t"search": { "type": "http", "url": "https://example.com/mcp" }',
        '\t}',
        '}',
      ]);

      const config = loadConfig(file, {});

      const filesystem = upstreamNamed(config.upstreams, 'filesystem');
      assert.ok(isStdioUpstream(filesystem));
      assert.equal(filesystem.namespace, 'filesystem');
      assert.deepEqual(filesystem.env, { DEBUG: '1' });
      assert.ok(!('type' in filesystem), '`type` is ignored for stdio servers');

      const notes = upstreamNamed(config.upstreams, 'notes');
      assert.ok(!isStdioUpstream(notes));
      assert.equal(notes.transport, 'sse');
      assert.deepEqual(notes.headers, { 'X-Team': 'docs' });

      const search = upstreamNamed(config.upstreams, 'search');
      assert.ok(!isStdioUpstream(search));
      assert.equal(search.transport, 'streamable-http');
    });

    it('accepts upstreams and mcpServers together when names differ', () => {
      const file = writeConfig('both.yaml', [
        'upstreams:',
        '  a: { command: server-a }',
        'mcpServers:',
        '  b: { command: server-b }',
      ]);
      assert.deepEqual(
        loadConfig(file, {}).upstreams.map((upstream) => upstream.name),
        ['a', 'b'],
      );
    });

    it('resolves a relative logging.file against the config folder', () => {
      const file = writeConfig('logging.yaml', ['logging:', '  file: logs/proxy.log', 'upstreams:', '  a: { command: x }']);
      assert.equal(loadConfig(file, {}).logging.file, path.join(folder, 'logs', 'proxy.log'));
    });
  });

  describe('environment variables', () => {
    it('expands ${VAR} and ${VAR:-default}, and turns an expanded port into a number', () => {
      const file = writeConfig('env.yaml', [
        'server:',
        '  transport: http',
        '  port: ${PORT}',
        'upstreams:',
        '  github:',
        '    url: ${GITHUB_URL:-https://api.githubcopilot.com/mcp/}',
        '    headers:',
        '      Authorization: Bearer ${GITHUB_TOKEN}',
        '    timeoutMs: ${TIMEOUT_MS:-5000}',
        '  shell:',
        '    command: sh',
        '    args: [-c, "echo $${HOME}"]',
        '    env:',
        '      RETRIES: ${RETRIES}',
      ]);

      const config = loadConfig(file, { PORT: '9000', GITHUB_TOKEN: 'ghp_abc', RETRIES: '3' });

      assert.equal(config.server.port, 9000);
      const github = upstreamNamed(config.upstreams, 'github');
      assert.ok(!isStdioUpstream(github));
      assert.equal(github.url, 'https://api.githubcopilot.com/mcp/');
      assert.deepEqual(github.headers, { Authorization: 'Bearer ghp_abc' });
      assert.equal(github.timeoutMs, 5000);
      const shell = upstreamNamed(config.upstreams, 'shell');
      assert.ok(isStdioUpstream(shell));
      assert.deepEqual(shell.args, ['-c', 'echo ${HOME}'], '$${ is a literal ${');
      assert.deepEqual(shell.env, { RETRIES: '3' }, 'env values stay strings even when numeric');
    });

    it('reports a missing variable by name, at the line that uses it', () => {
      const file = writeConfig('missing-var.yaml', [
        'upstreams:',
        '  github:',
        '    url: https://api.githubcopilot.com/mcp/',
        '    headers:',
        '      Authorization: Bearer ${GITHUB_TOKEN}',
      ]);

      const problems = problemsOf(file, {});

      assert.equal(problems.length, 1);
      assert.deepEqual(
        { line: problems[0]?.line, column: problems[0]?.column, path: problems[0]?.path },
        { line: 5, column: 7, path: 'upstreams.github.headers.Authorization' },
      );
      assert.match(problems[0]?.message ?? '', /GITHUB_TOKEN is not set/);
    });

    it('never shows the value of an expanded variable in an error', () => {
      const secret = 'sk-live/0123456789'; // `/` makes it an invalid namespace too
      const file = writeConfig('secret.yaml', [
        'server:',
        '  port: ${API_KEY}',
        'upstreams:',
        '  api:',
        '    url: ${API_KEY}',
        '    namespace: ${API_KEY}',
        '    maxConcurrent: ${API_KEY}',
      ]);

      const problems = problemsOf(file, { API_KEY: secret });

      assert.deepEqual(
        problems.map((problem) => problem.path),
        ['server.port', 'upstreams.api.url', 'upstreams.api.namespace', 'upstreams.api.maxConcurrent'],
      );
      const shown = formatProblems(problems);
      assert.ok(!shown.includes(secret), shown);
      assert.ok(!shown.includes('sk-live'), shown);
      assert.match(shown, /server\.port: expected a port number \(0-65535\), got the value of \$\{API_KEY\} \(not shown\)/);
    });
  });

  describe('problems', () => {
    it('reports a wrong type with file:line:column and the key path', () => {
      const file = writeConfig('wrong-type.yaml', [
        'upstreams:',
        '  everything:',
        '    command: npx',
        '    timeoutMs: abc',
      ]);

      const problems = problemsOf(file);

      assert.deepEqual(problems, [
        {
          file,
          line: 4,
          column: 5,
          path: 'upstreams.everything.timeoutMs',
          message: 'expected a positive integer, got "abc"',
        },
      ]);
      assert.equal(formatProblems(problems), `${file}:4:5 upstreams.everything.timeoutMs: expected a positive integer, got "abc"`);
    });

    it('refuses a server.stateKey shorter than 32 bytes, at its line, without showing it', () => {
      const file = writeConfig('short-state-key.yaml', ['server:', '  stateKey: ${MCPROXY_STATE_KEY}', 'upstreams:', '  everything:', '    command: npx']);

      const problems = problemsOf(file, { MCPROXY_STATE_KEY: 'short-secret' });

      assert.deepEqual(
        problems.map(({ line, path: keyPath }) => `${line} ${keyPath}`),
        ['2 server.stateKey'],
      );
      assert.match(problems[0]!.message, /at least 32 bytes/);
      assert.ok(!formatProblems(problems).includes('short-secret'), formatProblems(problems));
      assert.doesNotThrow(() => loadConfig(file, { MCPROXY_STATE_KEY: 'x'.repeat(32) }));
    });

    it('reports an unknown key and suggests the close known one', () => {
      const file = writeConfig('unknown-key.yaml', [
        'upstreams:',
        '  everything:',
        '    command: npx',
        '    timout: 5000',
      ]);

      const [problem, ...rest] = problemsOf(file);

      assert.equal(rest.length, 0);
      assert.equal(problem?.line, 4);
      assert.equal(problem?.path, 'upstreams.everything.timout');
      assert.equal(problem?.message, 'unknown key, did you mean `timeoutMs`?');
    });

    it('lists every problem, in file order', () => {
      const file = writeConfig('many.yaml', [
        'server:',
        '  port: 70000',
        '  hots: 0.0.0.0',
        'upstreams:',
        '  everything:',
        '    command: npx',
        '    shared: yes',
        '  remote:',
        '    url: ftp://example.com',
        '  nothing: {}',
      ]);

      const problems = problemsOf(file);

      assert.deepEqual(
        problems.map(({ line, path: keyPath }) => `${line} ${keyPath}`),
        ['2 server.port', '3 server.hots', '7 upstreams.everything.shared', '9 upstreams.remote.url', '10 upstreams.nothing'],
      );
      assert.equal(problems[1]?.message, 'unknown key, did you mean `host`?');
      assert.equal(problems[2]?.message, 'expected true or false, got "yes"');
      assert.equal(problems[3]?.message, 'expected an http:// or https:// URL, got "ftp://example.com"');
      assert.match(problems[4]?.message ?? '', /either `command` \(stdio\), `url` \(HTTP\) or `package`/);
    });

    it('reports only the intended kind of upstream, not every union branch', () => {
      const file = writeConfig('stdio-only.yaml', ['upstreams:', '  local:', '    command: ""']);
      const problems = problemsOf(file);
      assert.deepEqual(
        problems.map(({ path: keyPath, message }) => `${keyPath}: ${message}`),
        ['upstreams.local.command: expected a non-empty string, got ""'],
      );
    });

    it('gives the line of a YAML syntax error', () => {
      const file = writeConfig('syntax.yaml', [
        'upstreams:',
        '  everything:',
        '    command: npx',
        '    args: [-y, server-everything',
        'server:',
      ]);

      const problems = problemsOf(file);

      assert.ok(problems.length >= 1);
      assert.equal(problems[0]?.file, file);
      assert.equal(problems[0]?.line, 5);
      assert.equal(problems[0]?.path, '');
    });

    it('reports a duplicate key as a YAML error', () => {
      const file = writeConfig('dup-key.yaml', ['upstreams:', '  a: { command: x }', '  a: { command: y }']);
      const [problem] = problemsOf(file);
      assert.equal(problem?.line, 3);
      assert.match(problem?.message ?? '', /unique/);
    });

    it('reports a missing file clearly', () => {
      const file = path.join(folder, 'nope.yaml');
      const problems = problemsOf(file);
      assert.deepEqual(problems, [{ file, path: '', message: 'file not found' }]);
      assert.equal(formatProblems(problems), `${file}: file not found`);
    });

    it('reports an empty file', () => {
      const file = writeConfig('empty.yaml', []);
      assert.match(problemsOf(file)[0]?.message ?? '', /the file is empty/);
    });

    it('reports a config with no upstreams', () => {
      const file = writeConfig('no-upstreams.yaml', ['server:', '  port: 9000']);
      const problems = problemsOf(file);
      assert.equal(problems.length, 1);
      assert.match(problems[0]?.message ?? '', /no upstreams configured/);
    });

    it('reports a duplicate namespace at the second use', () => {
      const file = writeConfig('dup-namespace.yaml', [
        'upstreams:',
        '  github:',
        '    command: github-mcp',
        '  github-enterprise:',
        '    command: github-mcp',
        '    namespace: github',
        '  plain-a: { command: a, namespace: "" }',
        '  plain-b: { command: b, namespace: "" }',
      ]);

      const problems = problemsOf(file);

      assert.deepEqual(
        problems.map(({ line, path: keyPath, message }) => ({ line, keyPath, message })),
        [
          {
            line: 6,
            keyPath: 'upstreams.github-enterprise.namespace',
            message: '"github" is already used by upstream `github`: namespaces must be unique',
          },
        ],
        'several empty namespaces are allowed',
      );
    });

    it('reports a name used under both upstreams and mcpServers', () => {
      const file = writeConfig('collision.yaml', [
        'upstreams:',
        '  memory: { command: memory-server }',
        'mcpServers:',
        '  memory: { command: other-memory-server }',
      ]);
      const problems = problemsOf(file);
      assert.equal(problems.length, 1);
      assert.equal(problems[0]?.line, 4);
      assert.equal(problems[0]?.path, 'mcpServers.memory');
    });

    it('rejects a namespace with characters MCP tool names cannot hold', () => {
      const file = writeConfig('namespace-chars.yaml', [
        'mcpServers:',
        '  "GitHub MCP": { command: github-mcp }',
        '  ok: { command: x, namespace: "a/b" }',
      ]);
      const problems = problemsOf(file);
      assert.deepEqual(
        problems.map(({ line, path: keyPath }) => `${line} ${keyPath}`),
        ['2 mcpServers["GitHub MCP"]', '3 mcpServers.ok.namespace'],
      );
    });

    it('points at the parent map when a required key is missing', () => {
      const file = writeConfig('missing-key.yaml', ['upstreams:', '  remote:', '    transport: sse']);
      const [problem] = problemsOf(file);
      assert.equal(problem?.line, 2);
      assert.equal(problem?.column, 3);
      assert.equal(problem?.path, 'upstreams.remote.url');
      assert.equal(problem?.message, 'missing `url` (the http:// or https:// address of a remote server; a stdio server has `command` instead)');
    });

    it('suggests `command` and `url` for their typos and reports every other problem of that upstream', () => {
      const file = writeConfig('typos.yaml', [
        'upstreams:',
        '  local:',
        '    comand: node',
        '    args: server.js',
        '  remote:',
        '    ulr: https://example.com/mcp',
        '    headers: { X-Team: docs }',
        '  other:',
        '    command: node',
        '    arg: [server.js]',
        '  empty: {}',
      ]);
      assert.deepEqual(
        problemsOf(file).map(({ line, path: keyPath, message }) => `${line} ${keyPath}: ${message}`),
        [
          '2 upstreams.local.command: missing `command` (the program that starts a stdio server; a remote server has `url` instead)',
          '3 upstreams.local.comand: unknown key, did you mean `command`?',
          '4 upstreams.local.args: expected a list, got "server.js"',
          '5 upstreams.remote.url: missing `url` (the http:// or https:// address of a remote server; a stdio server has `command` instead)',
          '6 upstreams.remote.ulr: unknown key, did you mean `url`?',
          '10 upstreams.other.arg: unknown key, did you mean `args`?',
          // Nothing says which kind was meant: the union's own message.
          '11 upstreams.empty: expected an upstream with either `command` (stdio), `url` (HTTP) or `package` (an installed npm package)',
        ],
      );
    });
  });

  describe('YAML syntax errors', () => {
    it('reports all of them in plain words, one per line, each with line and column', () => {
      const file = writeConfig('syntax-many.yaml', [
        'upstreams:',
        '  a:',
        '    command: x',
        '   args: [1]',
        '  b:',
        '\tcommand: y',
        '  c: { command: "z\\q" }',
      ]);
      assert.deepEqual(
        problemsOf(file).map(({ line, column, message }) => `${line}:${column} ${message}`),
        [
          '4:1 YAML syntax: this line is indented differently from the lines it belongs with: keys of one map must start in the same column',
          '6:1 YAML syntax: a tab is used to indent: YAML indents with spaces only',
          '7:19 YAML syntax: a backslash escape in a "double-quoted" string is not valid: use single quotes, or write \\\\ for a backslash',
        ],
      );
    });

    it('names a duplicate key and says what to do', () => {
      const file = writeConfig('dup.yaml', ['upstreams:', '  a: { command: x }', '  a: { command: y }']);
      assert.deepEqual(problemsOf(file).map(({ line, message }) => `${line} ${message}`), [
        '3 YAML syntax: the key `a` appears twice in the same map (keys must be unique): keep one',
      ]);
    });

    it('says an unclosed list is unclosed, where the next key starts', () => {
      const file = writeConfig('list.yaml', ['upstreams:', '  a:', '    command: x', '    args: [oops', 'server: {}']);
      assert.deepEqual(problemsOf(file).map(({ line, column, message }) => `${line}:${column} ${message}`), [
        '5:1 YAML syntax: a `[` list is not closed: add `]` (a list that goes on over several lines must be indented under its key)',
      ]);
    });

    it('puts a key indented one space too far (`args:` under `command:`) on its own line, not the line above', () => {
      const file = writeConfig('args-indent.yaml', ['upstreams:', '  a:', '    command: node', '     args:', '       - server.js']);
      assert.deepEqual(problemsOf(file).map(({ line, column }) => `${line}:${column}`), ['4:6']);
      assert.match(problemsOf(file)[0]!.message, /is this line indented too far\?$/);
    });

    it('says an unclosed quote is unclosed', () => {
      const file = writeConfig('quote.yaml', ['upstreams:', '  a: { command: "node }']);
      assert.match(problemsOf(file)[0]?.message ?? '', /^YAML syntax: a quoted string is not closed: add the closing quote$/);
    });
  });
});

describe('expandEnv', () => {
  it('expands only string values, never keys', () => {
    const result = expandEnv({ '${KEY}': '${KEY}', list: ['${KEY}', 7, true, null] }, { KEY: 'v' });
    assert.deepEqual(result.value, { '${KEY}': 'v', list: ['v', 7, true, null] });
    assert.deepEqual(result.expansions, [
      { path: ['${KEY}'], variables: ['KEY'] },
      { path: ['list', 0], variables: ['KEY'] },
    ]);
    assert.deepEqual(result.problems, []);
  });

  it('uses the fallback when a variable is unset or empty, and the value when set', () => {
    const result = expandEnv(['${A:-x}', '${B:-y}', '${C:-z}', '${D:-}'], { B: '', C: 'set' });
    assert.deepEqual(result.value, ['x', 'y', 'set', '']);
    assert.deepEqual(result.problems, []);
  });

  it('keeps a set-but-empty variable without a fallback as ""', () => {
    assert.deepEqual(expandEnv('[${EMPTY}]', { EMPTY: '' }).value, '[]');
  });

  it('reports missing variables and malformed references with their paths', () => {
    const result = expandEnv({ a: '${MISSING}', b: 'price: ${1DOLLAR}', c: 'open ${NEVER_CLOSED' }, {});
    assert.deepEqual(
      result.problems.map((problem) => problem.path),
      [['a'], ['b'], ['c']],
    );
    assert.match(result.problems[0]?.message ?? '', /MISSING is not set/);
    assert.match(result.problems[1]?.message ?? '', /not a variable reference/);
    assert.match(result.problems[2]?.message ?? '', /unterminated/);
  });

  it('does not expand a value twice or unbraced $NAME', () => {
    assert.equal(expandEnv('${A} $B', { A: '${B}', B: 'no' }).value, '${B} $B');
  });
});
