// The `mcproxy` command's work, run by main.ts (`run` from the launch bundle, launchBundle.ts).
// Only this file writes to stdout, and never in stdio proxy mode, where stdout carries the MCP
// protocol. Each command imports what it uses when it runs (the config loader, the proxy, the
// SDK, HTTP and OAuth libraries): `mcproxy --version` loads none of them, and a client that
// launches mcproxy waits for no module the config does not use.
import './heapFlags.js';
import path from 'node:path';
import type { ProxyConfig } from '../config/schema.js';
import { PROXY_VERSION } from '../version.js';
import { parseCommand, UsageError, type Command } from './args.js';
import { chosenView, load, loadForRun } from './loadForCli.js';

/** Exit codes (documented in USAGE and the README). */
const EXIT_INVALID = 2;
const EXIT_CANNOT_LISTEN = 3;

async function main(argv: string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`mcproxy: ${error.message}\n(\`mcproxy help\` lists commands and options)\n`);
    return EXIT_INVALID;
  }
  switch (command.kind) {
    case 'help': {
      const { helpText, HELP_TOPICS } = await import('./help.js');
      const text = helpText(command.topic);
      if (text === undefined) {
        process.stderr.write(`mcproxy: no help for \`${command.topic}\`: commands are ${HELP_TOPICS.join(', ')}\n`);
        return EXIT_INVALID;
      }
      process.stdout.write(text);
      return 0;
    }
    case 'version':
      process.stdout.write(`${PROXY_VERSION}\n`);
      return 0;
    case 'validate': {
      // Every unset variable is a problem here, even one that would only disable its upstream.
      const config = await load(command.config, { unsetInUpstream: 'refuse' });
      if (!config) return EXIT_INVALID;
      const names = config.upstreams.map((u) => u.name).join(', ');
      process.stdout.write(`${config.file}: valid (${config.upstreams.length} upstreams: ${names})\n`);
      return 0;
    }
    case 'list': {
      const config = await load(command.config);
      if (!config) return EXIT_INVALID;
      const [{ locateConfig }, { configureLogging }, { collectCatalog, formatReport }] = await Promise.all([
        import('../config/locate.js'),
        import('../log.js'),
        import('./list.js'),
      ]);
      process.stderr.write(`mcproxy list: ${config.file} (${locateConfig(command.config).source})\n`);
      configureLogging({ level: 'warn', file: config.logging.file });
      const view = await chosenView(config, command.profile);
      if (!view) return EXIT_INVALID;
      const report = await collectCatalog(config, view);
      process.stdout.write(command.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
      return report.failed.length === 0 ? 0 : 1;
    }
    case 'init':
      return (await import('./init.js')).runInit(command);
    case 'vcon': {
      // The vCon commands load the config only for some actions, synchronously: the loader is imported first.
      const loader = await import('./loadForCli.js').then(async (module) => (await module.configModules(), module.loadSync));
      return (await import('./vcon.js')).runVconCommand(command, loader);
    }
    case 'pins': {
      const config = await load(command.config);
      if (!config) return EXIT_INVALID;
      const [{ configureLogging }, { runPins }] = await Promise.all([import('../log.js'), import('./pins.js')]);
      configureLogging({ level: 'warn', file: config.logging.file });
      const { output, code } = await runPins(config, command.action, command.selector);
      process.stdout.write(output);
      return code;
    }
    case 'status': {
      // The config only says where to look; without --url it must load.
      const config = command.url === undefined ? await load(command.config) : undefined;
      if (command.url === undefined && !config) return EXIT_INVALID;
      const { runStatus } = await import('./status.js');
      return runStatus(command, config, (text) => process.stdout.write(text));
    }
    case 'auth': {
      const config = await load(command.config);
      if (!config) return EXIT_INVALID;
      const [{ configureLogging }, { runAuth }] = await Promise.all([import('../log.js'), import('./auth.js')]);
      configureLogging({ level: 'warn', file: config.logging.file });
      const { output, code } = await runAuth(config, command, (line) => process.stderr.write(`${line}\n`));
      (code === 0 ? process.stdout : process.stderr).write(output);
      return code;
    }
    case 'run':
      return run(command);
    case 'reload':
    case 'restart':
      return control(command);
  }
}

async function run(command: Extract<Command, { kind: 'run' }>): Promise<number> {
  // stdio: the servers this config started last time start now, while the config loads (launchPlan.ts).
  const planned = command.transport === 'http' ? [] : (await import('./launchPlan.js')).plannedUpstreams(command.config, command.profile);
  const ahead = planned.length > 0 ? await import('../upstream/transports/stdio.js') : undefined;
  // Their stderr waits for the config's logging section (level, file, secrets to hide).
  ahead?.startAhead(planned, { holdStderr: true });
  // Those main.ts started before this loaded are taken by now; any other is not the plan's.
  (await import('../upstream/transports/earlyChildren.js')).endUntaken();
  try {
    return await serve(command, () => ahead?.releaseStderr());
  } finally {
    // Not serving (a config error, say), or done: no child started ahead outlives this.
    await ahead?.dropAhead();
  }
}

async function serve(command: Extract<Command, { kind: 'run' }>, loggingApplied: () => void): Promise<number> {
  const config = await loadForRun(command.config);
  if (!config) return EXIT_INVALID;
  const [{ configureLogging, hideInLogs, log }, { configSecrets }, { isLoopback }, { listenFailure }] = await Promise.all([
    import('../log.js'),
    import('../logSecrets.js'),
    import('../downstream/hostPolicy.js'),
    import('./listenErrors.js'),
  ]);
  // The command line wins over the file, on every reload too.
  const overrides = (config: ProxyConfig) => {
    if (command.transport) config.server.transport = command.transport;
    if (command.host) config.server.host = command.host;
    if (command.port !== undefined) config.server.port = command.port;
  };
  overrides(config);
  configureLogging(config.logging);
  hideInLogs(configSecrets(config));
  loggingApplied();
  const view = await chosenView(config, command.profile);
  if (!view) return EXIT_INVALID;
  if (config.naming.onCollision === 'error') {
    const collisions = await (await import('./collisionCheck.js')).startupCollisions(config);
    if (collisions.length > 0) {
      process.stderr.write(`${config.file}: naming.onCollision is error, and:\n${collisions.map((c) => `  ${c}`).join('\n')}\n`);
      return EXIT_INVALID;
    }
  }
  const { transport, host } = config.server;
  const unauthenticated = transport === 'http' ? (await import('../downstream/auth/authFilter.js')).anonymousBindRefusal(host, config.server.auth) : undefined;
  if (unauthenticated) {
    process.stderr.write(`mcproxy: ${unauthenticated}\n`);
    return EXIT_INVALID;
  }
  if (transport === 'http' && !isLoopback(host)) {
    log.warn(`binding ${host}: the proxy, and every upstream behind it, is reachable from other machines; bind 127.0.0.1 unless that is what you want`);
  }
  if (transport === 'stdio' && process.stdin.isTTY) {
    process.stderr.write('mcproxy: waiting for an MCP client on stdin (stdio transport). Clients such as Claude Desktop start mcproxy themselves; use --transport http to serve over HTTP. Ctrl+C quits.\n');
  }
  // stdio: the client that launched us is still starting; its stdio upstreams start meanwhile,
  // and while the proxy's own modules load (transports/stdio.ts).
  if (transport === 'stdio') (await import('../upstream/transports/stdio.js')).startAhead(view.upstreams);
  // stdio: its first lists come from what the servers listed last launch, while they start (listingSnapshot.ts).
  if (transport === 'stdio') (await import('../upstream/listingSnapshot.js')).serveSnapshots();
  const { startProxy } = await import('../proxy.js');
  let proxy;
  try {
    proxy = await startProxy(config, { profile: command.profile });
  } catch (error) {
    const failure = listenFailure(error, host, config.server.port);
    if (!failure) throw error;
    process.stderr.write(`mcproxy: ${failure}\n`);
    return EXIT_CANNOT_LISTEN;
  }
  if (transport === 'stdio') (await import('./launchPlan.js')).keepPlan(config.file, view, command.profile);
  const stopOperating = await (await import('./operate.js')).operate(proxy, config, overrides);
  await proxy.stopped;
  await stopOperating();
  return 0;
}

/** `mcproxy reload` / `mcproxy restart UPSTREAM`: asks each proxy running this config. */
async function control(command: Extract<Command, { kind: 'reload' | 'restart' }>): Promise<number> {
  const [{ locateConfig }, { sendToRunning }, { runDir }] = await Promise.all([import('../config/locate.js'), import('../control/client.js'), import('../control/runtime.js')]);
  const location = locateConfig(command.config);
  const request = command.kind === 'reload' ? ({ command: 'reload' } as const) : ({ command: 'restart', upstream: command.upstream } as const);
  const results = await sendToRunning(location.file, request);
  if (results.length === 0) {
    process.stderr.write(`mcproxy: no running mcproxy serves ${path.resolve(location.file)} (running ones are recorded in ${runDir()})\n`);
    return 1;
  }
  for (const { entry, answer } of results) {
    const line = `mcproxy (pid ${entry.pid}): ${answer.message}\n`;
    if (answer.ok) process.stdout.write(line);
    else process.stderr.write(line);
  }
  return results.every((result) => result.answer.ok) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Lingering sockets or timers must not keep a finished command alive.
    setTimeout(() => process.exit(code), 100).unref();
  },
  async (error: unknown) => {
    const { log } = await import('../log.js');
    log.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
