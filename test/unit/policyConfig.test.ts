// Config for policy, naming and profiles: accepted as written, and every mistake reported with
// the file, the line and the key path.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, type ConfigProblem } from '../../src/config/load.js';
import { viewOf } from '../../src/catalog/view.js';

let folder: string;
beforeEach(() => (folder = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-policy-'))));
afterEach(() => rmSync(folder, { recursive: true, force: true }));

function write(lines: string[]): string {
  const file = path.join(folder, 'mcproxy.yaml');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function problemsOf(file: string): ConfigProblem[] {
  try {
    loadConfig(file, {});
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return assert.fail('expected the config to be rejected');
}

/** Each problem as `line path: message`, to compare against the lines written. */
const located = (problems: ConfigProblem[]) => problems.map((p) => `${p.line} ${p.path}: ${p.message}`);

const UPSTREAMS = [
  'upstreams:',
  '  everything:',
  '    command: node',
  '    namespace: ev',
  '    tools:',
  '      allow: ["get*", echo]',
  '      block: [getTinyImage]',
  '      rename: { echo: say }',
  '      describe: { echo: Repeats what you say. }',
  '      arguments: { get-sum: { a: 1 } }',
  '    prompts: { block: [complex*], rename: { simple: hello } }',
  '    resources: { allow: ["demo://resource/static/*"] }',
  '  memory:',
  '    command: node',
];

describe('policy config', () => {
  it('accepts the policy keys, profiles and naming, with defaults', () => {
    const config = loadConfig(
      write([
        ...UPSTREAMS,
        'naming: { maxLength: 48, onCollision: error }',
        'policy:',
        '  tools: { block: ["*delete*"] }',
        'profiles:',
        '  readonly:',
        '    upstreams: [everything]',
        '    policy: { tools: { allow: ["ev__get*"] } }',
        'server: { defaultProfile: readonly }',
      ]),
      {},
    );
    assert.deepEqual(config.naming, { separator: '__', maxLength: 48, onCollision: 'error' });
    const everything = config.upstreams.find((u) => u.name === 'everything')!;
    assert.deepEqual(everything.tools, {
      allow: ['get*', 'echo'],
      block: ['getTinyImage'],
      rename: { echo: 'say' },
      describe: { echo: 'Repeats what you say.' },
      arguments: { 'get-sum': { a: 1 } },
    });
    assert.deepEqual(config.policy, { tools: { block: ['*delete*'] } });
    const view = viewOf(config);
    assert.equal(view.profile, 'readonly', 'server.defaultProfile picks the default view');
    assert.deepEqual(view.upstreams.map((u) => u.name), ['everything'], 'upstreams outside the profile are not in its view');
    assert.deepEqual(view.catalogOptions.viewPolicies, [{ tools: { block: ['*delete*'] } }, { tools: { allow: ['ev__get*'] } }]);
    assert.throws(() => viewOf(config, 'nope'), /no profile named nope \(profiles: readonly\)/);
  });

  it('defaults: maxLength 64, onCollision suffix, no policy, no profiles', () => {
    const config = loadConfig(write(['upstreams:', '  a: { command: node }']), {});
    assert.deepEqual(config.naming, { separator: '__', maxLength: 64, onCollision: 'suffix' });
    assert.deepEqual([config.policy, config.profiles], [{}, {}]);
  });

  it('reports invalid globs, bad renames, unknown profile upstreams and a bad default profile at their lines', () => {
    const problems = problemsOf(
      write([
        'upstreams:', // 1
        '  a:',
        '    command: node',
        '    tools:',
        '      allow: ["ok*", "bad["]', // 5
        '      block: [secret]',
        '      rename: { secret: visible, x: "has space", y: taken }', // 7
        '  b:',
        '    command: node',
        '    tools: { rename: { z: taken } }', // 10
        'policy:',
        '  tools: { block: [visible2] }',
        'profiles:',
        '  dev:',
        '    upstreams: [a, ghost]', // 15
        'server: { defaultProfile: prod }', // 16
        'naming: { separator: "::", onCollision: maybe }', // 17
      ]),
    );
    assert.deepEqual(located(problems), [
      '5 upstreams.a.tools.allow[1]: invalid glob pattern: ' + problems.find((p) => p.path === 'upstreams.a.tools.allow[1]')!.message.slice('invalid glob pattern: '.length),
      '7 upstreams.a.tools.rename.secret: renames "secret", which this section\'s allow/block lists hide',
      '7 upstreams.a.tools.rename.x: "has space" is not a valid name: use 1 to 64 letters, digits, `_` or `-`',
      '7 upstreams.a.tools.rename.y: renames "y", which this section\'s allow/block lists hide',
      '10 upstreams.b.tools.rename.z: renames onto "taken", already taken by upstreams.a.tools.rename.y',
      '15 profiles.dev.upstreams[1]: no upstream named "ghost" (upstreams: a, b)',
      '16 server.defaultProfile: no profile named "prod" (profiles: dev)',
      '17 naming.separator: could never appear in a valid tool name (letters, digits, `_` and `-` only): use e.g. "__" or "-"',
      '17 naming.onCollision: expected one of "suffix", "error", got "maybe"',
    ]);
  });

  it('suggests the key meant for a typo inside an upstream policy section and a profile', () => {
    const problems = problemsOf(write(['upstreams:', '  a:', '    command: node', '    tools: { alow: [x] }', 'profiles:', '  dev: { upstrams: [a] }']));
    assert.deepEqual(located(problems), ['4 upstreams.a.tools.alow: unknown key, did you mean `allow`?', '6 profiles.dev.upstrams: unknown key, did you mean `upstreams`?']);
  });

  it('refuses a rename onto a name the top-level policy blocks', () => {
    const problems = problemsOf(write(['upstreams:', '  a:', '    command: node', '    tools: { rename: { x: hidden } }', 'policy: { tools: { block: [hid*] } }']));
    assert.deepEqual(located(problems), ['4 upstreams.a.tools.rename.x: renames onto "hidden", which the top-level `policy.tools` blocks']);
  });

  it('refuses an upstream that is this proxy: mcproxy on the same file, or its own URL', () => {
    const file = path.join(folder, 'mcproxy.yaml');
    const problems = problemsOf(
      write([
        'server: { transport: http, port: 9911, path: /mcp }',
        'upstreams:',
        '  me:',
        `    command: node`,
        `    args: [dist/src/cli/main.js, --config, ${file}]`,
        '  also-me:',
        '    url: http://127.0.0.1:9911/mcp/dev',
        '  other:',
        '    url: http://127.0.0.1:9912/mcp',
      ]),
    );
    assert.deepEqual(located(problems), [
      '3 upstreams.me: this upstream runs mcproxy on this same config file: the proxy would be its own upstream',
      '7 upstreams.also-me.url: this is the URL this proxy serves: the proxy would be its own upstream',
    ]);
  });
});
