#!/usr/bin/env node
// The guardian: a tiny process between the proxy and one stdio upstream. It runs the upstream
// in a process group of its own (so an npx/uvx wrapper's grandchildren are in it too) and ends
// the whole group, SIGTERM first and SIGKILL after a grace period, when:
//   - the guardian is told to stop (SIGTERM/SIGINT/SIGHUP: the proxy closed the connection),
//   - the upstream exits (whatever it left behind goes with it),
//   - the proxy dies, even by SIGKILL: the guardian's parent changes (Linux and macOS reparent
//     orphans), checked twice a second. The upstream also sees EOF on its stdin then.
// stdin/stdout/stderr are the upstream's own (inherited), so the guardian never touches the
// protocol. Usage: node guardian.js GRACE_MS COMMAND [ARGS...]
import { spawn } from 'node:child_process';
import { DEFERRED_CA_CERTS } from '../childEnv.js';

const [graceText, command, ...args] = process.argv.slice(2);
const graceMs = Number(graceText);
const parent = process.ppid;

// Node reads NODE_EXTRA_CA_CERTS at startup, which costs the guardian time it has no use for:
// the proxy hands it over under another name, and the upstream gets it back under its own.
const env = { ...process.env };
if (env[DEFERRED_CA_CERTS] !== undefined) {
  env.NODE_EXTRA_CA_CERTS = env[DEFERRED_CA_CERTS];
  delete env[DEFERRED_CA_CERTS];
}
const child = spawn(command, args, { stdio: 'inherit', detached: true, env });
let stopping = false;

child.once('error', (error) => {
  process.stderr.write(`mcproxy guardian: cannot start ${command}: ${error.message}\n`);
  process.exit(127);
});
child.once('exit', (code, signal) => endGroup(code ?? 1, signal ?? undefined));
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => endGroup(143));
setInterval(() => {
  if (process.ppid !== parent) endGroup(143);
}, 500);

/** Ends every process of the upstream's group, then the guardian as the upstream ended: with its code, or its signal. */
function endGroup(code: number, signal?: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  const group = child.pid;
  if (group === undefined || !signalGroup(group, 'SIGTERM')) finish(code, signal);
  const started = Date.now();
  setInterval(() => {
    if (!signalGroup(group!, 0)) finish(code, signal);
    if (Date.now() - started >= graceMs) {
      signalGroup(group!, 'SIGKILL');
      finish(code, signal);
    }
  }, 50);
}

/** Exits like the upstream did, so that the proxy reports "killed by SIGSEGV" rather than a code. */
function finish(code: number, signal?: NodeJS.Signals): never {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  process.exit(code);
}

/** Sends `signal` to the group; false when no process of it is left. */
function signalGroup(group: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-group, signal);
    return true;
  } catch {
    return false;
  }
}
