// The mcproxy command as a user meets it: help, one-line errors with their exit codes, the
// warning for a non-loopback bind, the line that says stdio mode waits for a client, and the
// launch plan (servers of the last launch started before the config is loaded), and the config
// it validated then, used while the file holds the same text, never with a credential in it.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CLI, ROOT } from '../helpers/paths.js';
import { alive } from '../helpers/processes.js';
import { connectStdio, writeConfig } from '../helpers/proxy.js';
import { everything, fixture } from '../helpers/upstreams.js';

function mcproxy(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, MCPROXY_LOG_LEVEL: 'warn' }, timeout: 20_000 });
}

const config = writeConfig({ upstreams: { echo: fixture('crashing-server') } });

describe('the mcproxy command', function () {
  it('prints a command\'s help for `help COMMAND` and `COMMAND --help` alike', () => {
    const viaHelp = mcproxy('help', 'validate');
    assert.equal(viaHelp.status, 0);
    assert.match(viaHelp.stdout, /^Usage: mcproxy validate \[--config FILE\]\n/);
    assert.equal(mcproxy('validate', '--help').stdout, viaHelp.stdout);
    const unknown = mcproxy('help', 'serve');
    assert.equal(unknown.status, 2);
    assert.equal(unknown.stderr, 'mcproxy: no help for `serve`: commands are run, validate, list, init, vcon, reload, restart, status, auth, help\n');
  });

  it('answers a usage error in one line and exit 2', () => {
    const run = mcproxy('--port', 'eighty');
    assert.equal(run.status, 2);
    assert.equal(run.stderr, 'mcproxy: --port must be a number from 0 to 65535, not eighty\n(`mcproxy help` lists commands and options)\n');
  });

  describe('when it cannot listen', function () {
    let occupied: Server;
    before((done) => {
      occupied = createServer().listen(0, '127.0.0.1', done);
    });
    after((done) => occupied.close(() => done()));

    it('says the port is in use in one line, without a stack trace, and exits 3', () => {
      const port = (occupied.address() as { port: number }).port;
      const run = mcproxy('--config', config, '--transport', 'http', '--port', String(port));
      assert.equal(run.status, 3);
      assert.equal(
        run.stderr,
        `mcproxy: cannot listen on 127.0.0.1:${port}: the port is in use by another program (pick another with --port, or --port 0 for any free one)\n`,
      );
    });

    it('warns before binding beyond loopback, and names an address the machine does not have', () => {
      // 192.0.2.1 is TEST-NET-1: never assigned to this machine, so nothing is bound or contacted.
      // allowAnonymous: binding beyond loopback without auth is refused before any listen (see auth.test.ts).
      const anonymous = writeConfig({ server: { auth: { allowAnonymous: true } }, upstreams: { echo: fixture('crashing-server') } });
      const run = mcproxy('--config', anonymous, '--transport', 'http', '--host', '192.0.2.1', '--port', '0');
      assert.equal(run.status, 3);
      assert.match(run.stderr, /warn binding 192\.0\.2\.1: the proxy, and every upstream behind it, is reachable from other machines; bind 127\.0\.0\.1 unless that is what you want\n/);
      assert.match(run.stderr, /\nmcproxy: cannot listen on 192\.0\.2\.1:0: this machine has no such address \(check --host or server\.host\)\n$/);
    });
  });

  it('says once on stderr that it waits for a client when stdin is a terminal', async () => {
    // `script` runs the proxy on a pseudo-terminal, as a user typing `mcproxy` would.
    const command = [process.execPath, CLI, '--config', config].map((word) => `'${word}'`).join(' ');
    const child = spawn('script', ['-qfc', command, '/dev/null'], { cwd: ROOT, env: { ...process.env, MCPROXY_LOG_LEVEL: 'error' } });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ctrl+C quits.')) resolve();
      });
      child.once('exit', () => reject(new Error(`exited before saying it waits:\n${output}`)));
    });
    child.kill();
    assert.match(
      output,
      /^mcproxy: waiting for an MCP client on stdin \(stdio transport\)\. Clients such as Claude Desktop start mcproxy themselves; use --transport http to serve over HTTP\. Ctrl\+C quits\.\r?$/m,
    );
  });

  it('starts the servers of its last launch and takes the config it validated while the file is unchanged, and loads a changed one', async () => {
    const data = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-plan-'));
    const started = path.join(data, 'started');
    // server-everything behind a shell that notes its pid (exec keeps it) each time it starts.
    const noted = { command: '/bin/sh', args: ['-c', `echo $$ >> '${started}'; exec "$0" "$@"`, everything.command, ...everything.args] };
    const file = writeConfig({ upstreams: { ev: noted } });
    const env = { MCPROXY_DATA_DIR: data };
    const startedPids = () => readFileSync(started, 'utf8').split('\n').filter(Boolean).map(Number);
    const names: string[][] = [];
    for (let launch = 0; launch < 2; launch++) {
      writeFileSync(started, '');
      const { client } = await connectStdio(file, { env });
      names.push((await client.listTools()).tools.map((tool) => tool.name));
      if (launch === 0) {
        // The first launch probes the server's era on a sibling started beside it (the probe takes that one), gone once it answered.
        assert.equal(startedPids().length, 2, 'the first launch started the server and one probe sibling');
        assert.equal(startedPids().filter(alive).length, 1, 'only the serving one is left');
      }
      await client.close();
    }
    assert.ok(names[0].includes('ev__echo'));
    assert.deepEqual(names[1], names[0]);
    assert.equal(startedPids().length, 1, 'the relaunch started its server once: the plan started it, the config took it');
    assert.ok(existsSync(path.join(data, 'validated-configs.json')), 'the relaunch could take the validated config');
    // A broken config of the same size and time: the plan starts the server, the config refuses it.
    const { atime, mtime } = statSync(file);
    writeFileSync(file, readFileSync(file, 'utf8').replace('firstListWaitMs', 'firstListWaitMz'));
    utimesSync(file, atime, mtime);
    writeFileSync(started, '');
    const run = spawnSync(process.execPath, [CLI, '--config', file], { cwd: ROOT, encoding: 'utf8', input: '', env: { ...process.env, ...env }, timeout: 20_000 });
    assert.equal(run.status, 2);
    assert.match(run.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+.*firstListWaitMz`));
    const pids = startedPids();
    assert.equal(pids.length, 1, 'the server was started from the plan');
    assert.ok(!alive(pids[0]), 'and is gone once mcproxy has exited');
  });

  it('keeps no launch plan, validated config or listing snapshot that holds a credential', async () => {
    const data = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-plan-'));
    const secret = 'not-for-the-data-folder-4711';
    const file = writeConfig({ upstreams: { ev: { ...everything, env: { API_TOKEN: secret } } } });
    const { client } = await connectStdio(file, { env: { MCPROXY_DATA_DIR: data } });
    assert.ok((await client.listTools()).tools.length > 0);
    await client.close();
    for (const kept of ['launch-plans.json', 'validated-configs.json']) {
      const where = path.join(data, kept);
      if (existsSync(where)) assert.ok(!readFileSync(where, 'utf8').includes(secret), `${kept} holds no credential`);
    }
    // What a server with credentials lists may be its account's: not kept either.
    assert.ok(!existsSync(path.join(data, 'listing-snapshots.json')), 'no listing snapshot');
  });
});
