// The shipped examples and the editor schema must not rot: every example loads with the real
// loader, every YAML points at the shipped JSON Schema, and that schema matches the zod one.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCommand } from '../../src/cli/args.js';
import { viewOf } from '../../src/catalog/view.js';
import { configJsonSchemaText, SCHEMA_FILE } from '../../src/config/jsonSchema.js';
import { loadConfig } from '../../src/config/load.js';
import { ROOT } from '../helpers/paths.js';

const EXAMPLES = path.join(ROOT, 'examples');
const configFiles = [
  // Pin files (*.pins.json, git-ignored) appear beside an example that a test ran: they are not configs.
  ...readdirSync(EXAMPLES).filter((f) => /\.(ya?ml|json)$/.test(f) && !f.endsWith('.pins.json') && f !== 'claude-desktop-mcproxy.json').map((f) => path.join(EXAMPLES, f)),
  path.join(ROOT, 'config/mcproxy.yaml'),
];

describe('examples and the editor schema', () => {
  it('has the examples the README promises', () => {
    for (const name of ['filter-and-rename.yaml', 'profiles.yaml', 'chain-outer.yaml', 'chain-inner.yaml', 'http-remote.yaml', 'claude-desktop-mcproxy.json']) {
      assert.ok(existsSync(path.join(EXAMPLES, name)), `examples/${name} is missing`);
    }
  });

  for (const file of configFiles) {
    it(`${path.relative(ROOT, file)} is a valid config`, () => {
      assert.doesNotThrow(() => loadConfig(file, { HOME: '/home/someone' }));
    });
    if (file.endsWith('.yaml')) {
      it(`${path.relative(ROOT, file)} points editors at the shipped JSON Schema`, () => {
        const match = /^# yaml-language-server: \$schema=(\S+)$/m.exec(readFileSync(file, 'utf8'));
        assert.ok(match, 'no yaml-language-server $schema comment');
        assert.equal(path.resolve(path.dirname(file), match[1]), path.join(ROOT, SCHEMA_FILE));
      });
    }
  }

  it('the Claude Desktop snippet launches mcproxy on an example with a profile it defines', () => {
    const snippet = JSON.parse(readFileSync(path.join(EXAMPLES, 'claude-desktop-mcproxy.json'), 'utf8')) as { mcpServers: Record<string, { command: string; args: string[] }> };
    const { command, args } = snippet.mcpServers.mcproxy;
    assert.equal(command, 'npx');
    const cli = args.slice(args.indexOf('mcproxy') + 1);
    const parsed = parseCommand(cli);
    assert.equal(parsed.kind, 'run');
    if (parsed.kind !== 'run') return;
    assert.equal(parsed.transport, 'stdio', 'Claude Desktop talks stdio');
    const config = loadConfig(path.join(EXAMPLES, path.basename(parsed.config!)), {});
    assert.equal(viewOf(config, parsed.profile).profile, parsed.profile);
  });

  it(`${SCHEMA_FILE} is up to date with the zod schema (npm run schema)`, () => {
    assert.equal(readFileSync(path.join(ROOT, SCHEMA_FILE), 'utf8'), configJsonSchemaText(), 'stale: run `npm run schema`');
  });
});
