// The package as users get it: `npm pack`, installed into a temp prefix the way a global
// install or npx lays it out (mcproxy beside its dependencies, hoisted), run from an unrelated
// folder with an empty HOME. Dependencies are linked from this checkout's production tree
// (`npm ls --omit=dev`), so no registry is contacted and a dependency declared only as a
// devDependency is missing here, as it would be for a user.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/paths.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('the packed package, installed into a temp prefix', function () {
  this.timeout(120_000);
  let temp: string;
  let bin: string;
  let installed: string;

  before(() => {
    temp = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-pack-'));
    execFileSync(npm, ['pack', '--ignore-scripts', '--pack-destination', temp], { cwd: ROOT, stdio: 'ignore' });
    const tarball = path.join(temp, readdirSync(temp).find((name) => name.endsWith('.tgz'))!);

    const modules = path.join(temp, 'prefix', 'lib', 'node_modules');
    installed = path.join(modules, 'mcproxy');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['xzf', tarball, '--strip-components=1', '-C', installed]);
    const production = execFileSync(npm, ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .map((line) => path.relative(path.join(ROOT, 'node_modules'), line.trim()))
      .filter((relative) => relative && !relative.startsWith('..') && !relative.includes(`${path.sep}node_modules${path.sep}`));
    for (const dependency of production) {
      mkdirSync(path.dirname(path.join(modules, dependency)), { recursive: true });
      symlinkSync(path.join(ROOT, 'node_modules', dependency), path.join(modules, dependency));
    }
    bin = path.join(installed, 'dist', 'src', 'cli', 'main.js');
    chmodSync(bin, 0o755);
  });
  after(() => rmSync(temp, { recursive: true, force: true }));

  function mcproxy(...args: string[]) {
    const home = mkdtempSync(path.join(temp, 'home-'));
    const elsewhere = mkdtempSync(path.join(temp, 'elsewhere-'));
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, MCPROXY_DATA_DIR: path.join(home, 'data'), MCPROXY_LOG_LEVEL: 'warn' };
    return { home, ...spawnSync(bin, args, { cwd: elsewhere, env, encoding: 'utf8' }) };
  }

  it('ships only what runs: the build, the default config and the README', () => {
    assert.deepEqual(readdirSync(installed).sort(), ['README.md', 'config', 'data', 'dist', 'package.json']);
    assert.deepEqual(readdirSync(path.join(installed, 'dist')), ['src'], 'no tests or benches in the package');
    // npm warns about (and some setups refuse) packages that run scripts when installed.
    const scripts = Object.keys((JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
    assert.deepEqual(scripts.filter((name) => ['preinstall', 'install', 'postinstall', 'prepare'].includes(name)), []);
  });

  it('falls back to its bundled default config from any folder, and that config validates', () => {
    const run = mcproxy('validate');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, `${path.join(installed, 'config', 'mcproxy.yaml')}: valid (3 upstreams: everything, memory, files)\n`);
  });

  it('`mcproxy list` connects to all three bundled servers, keeping data in the data folder', () => {
    const run = mcproxy('list', '--json');
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { entries: Array<{ name: string }>; failed: unknown[] };
    assert.deepEqual(report.failed, []);
    const names = report.entries.map((entry) => entry.name);
    for (const expected of ['ev__echo', 'mem__read_graph', 'fs__list_directory']) assert.ok(names.includes(expected), expected);
    assert.deepEqual(readdirSync(run.home), ['data'], 'the data folder is created under the per-user location');
  });

  it('gives TypeScript users the vCon library with its types', () => {
    // A consumer beside the installed package: `import … from 'mcproxy'` resolves to it.
    const consumer = mkdtempSync(path.join(temp, 'prefix', 'lib', 'consumer-'));
    writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ type: 'module' }));
    const compilerOptions = { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: ['node'], typeRoots: [path.join(ROOT, 'node_modules/@types')] };
    writeFileSync(path.join(consumer, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['use.ts'] }));
    writeFileSync(
      path.join(consumer, 'use.ts'),
      [
        "import { VconMcpProxy } from 'mcproxy';",
        "const proxy = new VconMcpProxy({ conserver: { url: 'http://127.0.0.1:8000/api/vcon' } });",
        "proxy.on('vcon:created', () => {});",
        'export const maxMessages: number = proxy.getConfig().session.maxMessages;',
        "// @ts-expect-error: the types know that wrapTransport needs a transport",
        'proxy.wrapTransport();',
      ].join('\n'),
    );
    const check = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', consumer], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
  });

  it('says where it looked when the given config is missing', () => {
    const run = mcproxy('list', '--config', 'nope.yaml');
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^nope\.yaml: file not found \(looked for .*nope\.yaml\)\nmcproxy looks for its config in this order \(this one came from --config\):\n  1\. --config FILE\n  2\. \$MCPROXY_CONFIG\n  3\. .*mcproxy\.yaml\n  4\. .*\.config\/mcproxy\/mcproxy\.yaml\n  5\. .*config\/mcproxy\.yaml \(bundled default\)\n$/);
  });
});
