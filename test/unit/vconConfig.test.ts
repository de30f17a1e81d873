// The `vcon:` config section and the `mcproxy vcon` command line: pure parsing, no I/O beyond a temp file.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCommand, UsageError } from '../../src/cli/args.js';
import { ConfigError, loadConfig, type ConfigProblem } from '../../src/config/load.js';
import { recordingOptionsFromConfig } from '../../src/vcon/options.js';

function configFile(lines: string[]): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'mcproxy-vcon-config-')), 'mcproxy.yaml');
  writeFileSync(file, ['upstreams:', '  a: { command: node }', ...lines].join('\n') + '\n');
  return file;
}

/** The problems loadConfig reports; the test fails if the config loads. */
function problemsOf(file: string): ConfigProblem[] {
  let problems: ConfigProblem[] = [];
  assert.throws(() => loadConfig(file, {}), (error) => error instanceof ConfigError && (problems = error.problems).length > 0);
  return problems;
}

describe('vcon config', () => {
  it('fills the defaults and resolves dir against the config file', () => {
    const file = configFile(['vcon: {}']);
    const { vcon } = loadConfig(file, {});
    assert.equal(vcon!.dir, path.join(path.dirname(file), 'vcons'));
    assert.deepEqual(vcon!.session, { timeoutMs: 300_000, maxMessages: 10_000, captureResources: true, capturePrompts: true, maxInlineContentSize: 100_000 });
    assert.deepEqual(
      { ...vcon!.conserver },
      { apiTokenHeader: 'x-conserver-api-token', timeoutMs: 30_000, retryAttempts: 3, retryDelayMs: 1_000 },
    );
    assert.equal(vcon!.addAnalysis, true);
  });

  it('records nothing without the section, or with enabled: false', () => {
    assert.equal(loadConfig(configFile([]), {}).vcon, undefined);
    assert.equal(loadConfig(configFile(['vcon: { enabled: false }']), {}).vcon, undefined);
  });

  it('names the file, line and key of a wrong value, and accepts numbers from the environment', () => {
    const file = configFile(['vcon:', '  session:', '    maxMessages: lots', '  redact: ["(unclosed"]', '  conserver: { retries: 3 }']);
    const problems = problemsOf(file).map((p) => `${p.line} ${p.path}: ${p.message}`);
    assert.ok(problems.some((p) => p.startsWith('5 vcon.session.maxMessages: ')), problems.join('\n'));
    assert.ok(problems.some((p) => /^6 vcon\.redact\[0\]: expected a valid regular expression/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('7 vcon.conserver') && p.includes('retries')), problems.join('\n'));
    const fromEnv = loadConfig(configFile(['vcon:', '  session: { maxMessages: "${MAX}", captureResources: "${CAPTURE}" }']), { MAX: '50', CAPTURE: 'false' });
    assert.equal(fromEnv.vcon!.session.maxMessages, 50);
    assert.equal(fromEnv.vcon!.session.captureResources, false);
  });

  it('takes CONSERVER_URL, CONSERVER_API_TOKEN and VCON_SERVER_NAME from the environment when the file does not set them', () => {
    const { vcon } = loadConfig(configFile(['vcon: { conserver: { ingressList: [a, b] } }']), {});
    const env = { CONSERVER_URL: 'http://127.0.0.1:9/api/vcon', CONSERVER_API_TOKEN: 'from-env', VCON_SERVER_NAME: 'edge-proxy' };
    const options = recordingOptionsFromConfig(vcon!, 'mcproxy', ['a'], env);
    assert.equal(options.conserver!.url, env.CONSERVER_URL);
    assert.equal(options.conserver!.apiToken, 'from-env');
    assert.deepEqual(options.conserver!.ingressList, ['a', 'b']);
    assert.equal(options.serverName, 'edge-proxy');
    assert.equal(recordingOptionsFromConfig(vcon!, 'mcproxy', ['a'], {}).conserver, undefined, 'no URL: no conserver');
  });
});

describe('mcproxy vcon arguments', () => {
  it('parses validate, show and flush', () => {
    assert.deepEqual(parseCommand(['vcon', 'validate', 'a.json', 'b.json']), { kind: 'vcon', action: 'validate', files: ['a.json', 'b.json'] });
    assert.deepEqual(parseCommand(['vcon', 'show', 'a.json']), { kind: 'vcon', action: 'show', file: 'a.json' });
    assert.deepEqual(parseCommand(['vcon', 'flush', '--config', 'x.yaml']), { kind: 'vcon', action: 'flush', config: 'x.yaml' });
  });

  it('refuses what does not fit', () => {
    for (const argv of [['vcon'], ['vcon', 'validate'], ['vcon', 'show', 'a', 'b'], ['vcon', 'send'], ['vcon', 'show', 'a', '--config', 'c'], ['vcon', 'flush', 'x']]) {
      assert.throws(() => parseCommand(argv), UsageError, argv.join(' '));
    }
  });
});
