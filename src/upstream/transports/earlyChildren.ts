// Stdio upstreams a launch starts before the launch bundle has loaded (cli/main.ts, from the
// launch plan): reading and deserializing the bundle takes ~100 ms, and a server's own start is
// most of what a launching client waits for. They are handed over through a global, since the
// bundle has its own copy of this module: the transport that would spawn the same command, args,
// environment and folder takes the child instead (childTransport.ts), and one nobody took is
// ended (endUntaken). Each is in a process group of its own, listed with a watchdog from its
// spawn, as every stdio upstream is.
import { spawn, type ChildProcess } from 'node:child_process';
import type { UpstreamConfig } from '../../config/schema.js';
import { childEnvironment } from '../childEnv.js';
import { watchGroup } from './watchdog.js';

/** Set in the children a proxy starts ahead: a proxy started so waits for its client before it starts its own (no chain of eager starts, and no loop of them). */
export const STARTED_AHEAD = 'MCPROXY_STARTED_AHEAD';
const OWN_GROUP = process.platform !== 'win32';

export interface SpawnParameters {
  command: string;
  args: readonly string[];
  env: Record<string, string>;
  cwd?: string;
}

export interface EarlyChild {
  child: ChildProcess;
  spawned: boolean;
  failure?: Error;
  /** Takes its group off the watchdog's list (once it has ended). */
  unwatch: () => void;
}

const HANDOFF = Symbol.for('mcproxy.earlyChildren');
const waiting = (): Map<string, EarlyChild> => ((globalThis as Record<symbol, Map<string, EarlyChild>>)[HANDOFF] ??= new Map());
const keyOf = ({ command, args, env, cwd }: SpawnParameters) => JSON.stringify([command, args, env, cwd ?? null]);

/** Spawns a stdio upstream's process: on POSIX it leads a process group of its own (childTransport.ts). */
export function spawnChild({ command, args, env, cwd }: SpawnParameters, stderr: 'pipe' | 'ignore'): ChildProcess {
  return spawn(command, args, { env, cwd, stdio: ['pipe', 'pipe', stderr], detached: OWN_GROUP, windowsHide: true });
}

/** Starts these stdio upstreams now, as transports/stdio.ts's startAhead would (the same environment). */
export function startEarly(upstreams: readonly UpstreamConfig[]): void {
  if (process.env[STARTED_AHEAD]) return;
  for (const config of upstreams) {
    if (!('command' in config)) continue;
    const env = childEnvironment(process.env, { inherit: config.inheritEnv, withhold: config.withholdEnv ?? [], env: { ...config.env, [STARTED_AHEAD]: '1' } });
    const parameters = { command: config.command, args: config.args, env, cwd: config.cwd };
    if (waiting().has(keyOf(parameters))) continue;
    const child = spawnChild(parameters, 'pipe');
    const early: EarlyChild = { child, spawned: false, unwatch: () => {} };
    child.once('error', (error) => (early.failure = error));
    child.once('spawn', () => {
      early.spawned = true;
      if (OWN_GROUP && child.pid !== undefined) early.unwatch = watchGroup(child.pid);
    });
    waiting().set(keyOf(parameters), early);
  }
}

/** The child started early with these parameters and still running, if any: the caller's now. */
export function takeEarly(parameters: SpawnParameters): EarlyChild | undefined {
  const key = keyOf(parameters);
  const early = waiting().get(key);
  if (!early) return undefined;
  waiting().delete(key);
  if (early.child.exitCode === null && early.child.signalCode === null) return early;
  end(early);
  return undefined;
}

/** Ends the children started early that no transport took (the config no longer names them so). */
export function endUntaken(): void {
  for (const early of waiting().values()) end(early);
  waiting().clear();
}

function end(early: EarlyChild): void {
  const { child } = early;
  child.once('exit', () => early.unwatch());
  child.stdin?.end();
  try {
    if (child.pid !== undefined) process.kill(OWN_GROUP ? -child.pid : child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}
