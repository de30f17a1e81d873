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

const [graceText, command, ...args] = process.argv.slice(2);
const graceMs = Number(graceText);
const parent = process.ppid;

const child = spawn(command, args, { stdio: 'inherit', detached: true });
let stopping = false;

child.once('error', (error) => {
  process.stderr.write(`mcproxy guardian: cannot start ${command}: ${error.message}\n`);
  process.exit(127);
});
child.once('exit', (code, signal) => endGroup(code ?? (signal ? 128 : 1)));
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => endGroup(143));
setInterval(() => {
  if (process.ppid !== parent) endGroup(143);
}, 500);

/** Ends every process of the upstream's group, then the guardian with `code`. */
function endGroup(code: number): void {
  if (stopping) return;
  stopping = true;
  const group = child.pid;
  if (group === undefined || !signalGroup(group, 'SIGTERM')) process.exit(code);
  const started = Date.now();
  setInterval(() => {
    if (!signalGroup(group!, 0)) process.exit(code);
    if (Date.now() - started >= graceMs) {
      signalGroup(group!, 'SIGKILL');
      process.exit(code);
    }
  }, 50);
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
