// What a running proxy answers to from outside: SIGINT/SIGTERM (graceful shutdown; a second
// one exits at once), SIGHUP and edits of the config file (reload), and the control socket
// that `mcproxy reload` and `mcproxy restart UPSTREAM` use (found through a record in the
// data folder, see control/runtime.ts).
import { startControlServer, type ControlAnswer, type ControlRequest } from '../control/server.js';
import { registerRunning, socketPath } from '../control/runtime.js';
import type { ProxyConfig } from '../config/schema.js';
import { watchConfigFile } from '../config/watch.js';
import { log } from '../log.js';
import type { RunningProxy } from '../proxy.js';
import type { Reloader } from '../reload.js';

/** Exit status after a second signal: 128 + the signal's number, as shells report it. */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
const SIGHUP_DEBOUNCE_MS = 200;

export async function operate(proxy: RunningProxy, config: ProxyConfig, overrides: (config: ProxyConfig) => void): Promise<() => Promise<void>> {
  // The reload machinery (and with it the config loader: yaml, zod, the schema) loads with the first reload.
  let reloader: Promise<Reloader> | undefined;
  const reloaderNow = () => (reloader ??= import('../reload.js').then(({ Reloader }) => new Reloader(config, { overrides, apply: (next, diff) => proxy.apply(next, diff) })));
  const reload = (trigger: string) =>
    reloaderNow().then((loaded) => loaded.reload(trigger)).catch((error: Error) => {
      log.error(`reload (${trigger}) failed: ${error.stack ?? error.message}`);
      return { ok: false as const, problems: error.message };
    });

  let shuttingDown = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (shuttingDown) {
        log.warn(`${signal} again: exiting now`);
        process.exit(SIGNAL_EXIT[signal]);
      }
      shuttingDown = true;
      log.info(`${signal}: shutting down (again to exit at once)`);
      void proxy.shutdown();
    });
  }
  // A storm of SIGHUPs (a loop in a script, a supervisor's retries) is one reload.
  let hangup: NodeJS.Timeout | undefined;
  process.on('SIGHUP', () => {
    clearTimeout(hangup);
    hangup = setTimeout(() => void reload('SIGHUP'), SIGHUP_DEBOUNCE_MS);
  });
  const stopWatching = watchConfigFile(config.file, () => void reload('file changed'));

  const socket = socketPath(process.pid);
  let stopControl = async () => {};
  let unregister = () => {};
  try {
    stopControl = await startControlServer(socket, async (request) => answer(request, reload, proxy));
    unregister = registerRunning({ pid: process.pid, config: config.file, socket, started: new Date().toISOString() });
  } catch (error) {
    log.warn(`no control socket (${(error as Error).message}): \`mcproxy reload\` and \`mcproxy restart\` cannot reach this proxy; SIGHUP still reloads`);
  }
  return async () => {
    stopWatching();
    unregister();
    await stopControl();
  };
}

async function answer(request: ControlRequest, reload: (trigger: string) => ReturnType<Reloader['reload']>, proxy: RunningProxy): Promise<ControlAnswer> {
  if (request.command === 'reload') {
    const outcome = await reload('mcproxy reload');
    if (!outcome.ok) return { ok: false, message: `the config is invalid; still running the previous one:\n${outcome.problems}` };
    const pending = outcome.needsRestart.length > 0 ? ` (${outcome.needsRestart.join(', ')} take effect when mcproxy restarts)` : '';
    return { ok: true, message: `reloaded: ${outcome.summary}${pending}` };
  }
  const known = proxy.upstreams.get(request.upstream);
  if (!known || !proxy.restart(request.upstream)) {
    const names = proxy.upstreams.all().map((health) => health.name);
    return { ok: false, message: `no upstream named ${request.upstream}${names.length > 0 ? ` (upstreams: ${names.join(', ')})` : ''}` };
  }
  log.info(`restart requested (mcproxy restart)`, { upstream: request.upstream });
  return { ok: true, message: `restarting ${request.upstream}` };
}
