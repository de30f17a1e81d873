// The Inspector scenario: INSPECTOR_CALLS (default 5) `mcp-inspector --cli URL --method
// tools/list` runs against `mcproxy --transport http` on its bundled default config. The
// Inspector opens a session per run and never sends DELETE, so each run leaves an abandoned
// session behind. Prints the proxy's descendant processes and their RSS right after the runs
// and again after INSPECTOR_WAIT_S seconds (default 40). Loopback only; asserts nothing.
// The Inspector needs Node 22 and comes from the npm registry through npx (once per machine).
//   npm run build && node dist/bench/inspector-sessions.js
// MCPROXY_CLI=/other/checkout/dist/src/cli/main.js measures another build the same way.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, ROOT } from '../test/helpers/paths.js';
import { INSPECTOR } from '../test/helpers/clients.js';

const CALLS = Number(process.env.INSPECTOR_CALLS ?? 5);
const WAIT_S = Number(process.env.INSPECTOR_WAIT_S ?? 40);
const cli = process.env.MCPROXY_CLI ?? CLI;

/** Every process under `root` (pid, rss in KiB), from one `ps` of the whole table. */
function descendants(root: number): Array<{ pid: number; rss: number }> {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,rss='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number, number]);
  const found: Array<{ pid: number; rss: number }> = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [pid, ppid, rss] of rows) if (ppid === parent) (found.push({ pid, rss }), queue.push(pid));
  }
  return found;
}

function report(label: string, pid: number): void {
  const all = descendants(pid);
  const rssMiB = all.reduce((sum, p) => sum + p.rss, 0) / 1024;
  const own = Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) / 1024;
  console.log(`${label.padEnd(34)} ${String(all.length).padStart(4)} processes under the proxy  ${rssMiB.toFixed(0).padStart(6)} MiB RSS (proxy itself ${own.toFixed(0)} MiB)`);
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-inspector-'));
const proxy = spawn(process.execPath, [cli, '--transport', 'http', '--port', '0'], {
  cwd: dataDir,
  stdio: ['ignore', 'ignore', 'pipe'],
  // No config in its folder or the user's: the bundled default, as a new user gets it.
  env: { ...process.env, MCPROXY_DATA_DIR: dataDir, MCPROXY_CONFIG: '', XDG_CONFIG_HOME: dataDir },
});
let stderr = '';
const url = await new Promise<string>((resolve, reject) => {
  proxy.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    const match = /listening on (http:\/\/\S+)/.exec(stderr);
    if (match) resolve(match[1]!);
  });
  proxy.once('exit', (code) => reject(new Error(`proxy exited with ${code}:\n${stderr}`)));
});
console.log(`mcproxy ${cli === CLI ? '(this checkout)' : cli} at ${url}, default config, ${CALLS} Inspector runs`);
for (let run = 1; run <= CALLS; run++) {
  const started = Date.now();
  const output = execFileSync('npx', [...INSPECTOR, '--cli', url, '--method', 'tools/list'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const tools = (JSON.parse(output) as { tools: unknown[] }).tools.length;
  console.log(`  run ${run}: ${tools} tools in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
report('right after the runs', proxy.pid!);
await new Promise((resolve) => setTimeout(resolve, WAIT_S * 1000));
report(`${WAIT_S} s later`, proxy.pid!);
proxy.kill('SIGTERM');
