// `protocol: auto`, the default: mcproxy probes an upstream with server/discover (over stdio on a
// short-lived sibling process), falls back to initialize, and remembers the verdict in the data
// folder (eras.json), so that the next start pays no probe; a remembered verdict that proves
// wrong is corrected. The real proxy in stdio mode, the real SDK v2 client; upstreams are
// fixtures: no npm server dies on an unknown first request, and none speaks only 2026-07-28.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FIXTURES } from '../helpers/paths.js';
import { connectStdio, writeConfig } from '../helpers/proxy.js';
import { text } from '../helpers/results.js';
import { fixture } from '../helpers/upstreams.js';

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : []);
const verdicts = (dataDir: string) => Object.values(JSON.parse(readFileSync(path.join(dataDir, 'eras.json'), 'utf8')).verdicts) as { kind: string }[];

/** One proxy run in stdio mode on `file`: calls `tool` and returns its text. */
async function callOnce(file: string, dataDir: string, tool: string, args: Record<string, unknown> = {}): Promise<string> {
  const { client } = await connectStdio(file, { env: { MCPROXY_DATA_DIR: dataDir } });
  try {
    return text(await client.callTool({ name: tool, arguments: args }));
  } finally {
    await client.close();
  }
}

describe('protocol: auto (the default) over stdio', function () {
  this.timeout(90_000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-eras-'));
  const record = path.join(dataDir, 'first-methods.txt');
  // A launcher whose content the test changes: the same command and args, another server.
  const launcher = path.join(dataDir, 'launcher.mjs');
  const starts = path.join(dataDir, 'starts.txt');
  const launch = (fixture: string, args: string[]) =>
    writeFileSync(
      launcher,
      `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(starts)}, 'start\\n');\nprocess.argv.push(...${JSON.stringify(args)});\nawait import(${JSON.stringify(pathToFileURL(path.join(FIXTURES, fixture)).href)});\n`,
    );
  const file = writeConfig({ upstreams: { up: { command: process.execPath, args: [launcher], namespace: 'u' } } });

  it('serves an upstream that dies on the server/discover probe as legacy, and the next run pays no probe', async () => {
    launch('probe-dying-server.js', ['--record', record]);
    assert.equal(await callOnce(file, dataDir, 'u__echo', { text: 'after the probe' }), 'after the probe');
    assert.deepEqual(lines(record), ['server/discover', 'initialize'], 'the probe spent a sibling process, not the one that serves');
    assert.deepEqual(verdicts(dataDir).map((v) => v.kind), ['legacy']);
    assert.doesNotMatch(readFileSync(path.join(dataDir, 'eras.json'), 'utf8'), /launcher/, 'the file holds hashes, not the config');

    assert.equal(await callOnce(file, dataDir, 'u__echo', { text: 'remembered' }), 'remembered');
    assert.deepEqual(lines(record), ['server/discover', 'initialize', 'initialize'], 'the second run starts one process, with initialize');
  });

  it('serves an upstream that never answers the probe as legacy once the probe gives up (10 s, not timeoutMs)', async () => {
    const ignoring = path.join(dataDir, 'ignoring.txt');
    // Were the probe to wait timeoutMs, the call would time out first.
    const quiet = writeConfig({ upstreams: { quiet: { ...fixture('probe-dying-server', '--record', ignoring, '--ignore'), namespace: 'q', timeoutMs: 120_000 } } });
    assert.equal(await callOnce(quiet, mkdtempSync(path.join(os.tmpdir(), 'mcproxy-eras-')), 'q__echo', { text: 'heard at last' }), 'heard at last');
    assert.deepEqual(lines(ignoring), ['server/discover', 'initialize']);
  });

  it('corrects a remembered verdict that proves wrong, and confirms a remembered 2026-07-28 one without a probe', async () => {
    // The same command and args now start a server that speaks only 2026-07-28: initialize fails.
    launch('modern-server.js', ['--stdio', '--modern-only']);
    const before = lines(starts).length;
    assert.match(await callOnce(file, dataDir, 'u__test_whoami'), /"era":"modern"/);
    assert.equal(lines(starts).length - before, 3, 'initialize from the old verdict, then a probe on a sibling, then the serving process');
    assert.deepEqual(verdicts(dataDir).map((v) => v.kind), ['modern']);

    const second = lines(starts).length;
    assert.match(await callOnce(file, dataDir, 'u__test_whoami'), /"era":"modern"/);
    assert.equal(lines(starts).length - second, 1, 'the next run starts only the serving process');
  });
});
