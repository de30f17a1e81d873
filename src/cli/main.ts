#!/usr/bin/env node
// The `mcproxy` command. Only this file writes to stdout, and never in stdio proxy mode,
// where stdout carries the MCP protocol.
import { ConfigError, formatProblems, loadConfig, type LoadOptions } from '../config/load.js';
import { locateConfig, searchOrder } from '../config/locate.js';
import type { ProxyConfig } from '../config/schema.js';
import { configureLogging, hideInLogs, log } from '../log.js';
import { configSecrets } from '../logSecrets.js';
import { startProxy } from '../proxy.js';
import { PROXY_VERSION } from '../version.js';
import { parseCommand, USAGE, UsageError, type Command } from './args.js';
import { helpText, HELP_TOPICS } from './help.js';
import { runInit } from './init.js';
import { collectCatalog, formatReport } from './list.js';
import { startupCollisions } from './collisionCheck.js';
import { UnknownProfileError, viewOf, type View } from '../catalog/view.js';
import { listenFailure } from './listenErrors.js';
import { isLoopback } from '../downstream/hostPolicy.js';
import { anonymousBindRefusal } from '../downstream/auth/authFilter.js';
import { runVconCommand } from './vcon.js';
import { runPins } from './pins.js';
import { operate } from './operate.js';
import { sendToRunning } from '../control/client.js';
import { runDir } from '../control/runtime.js';
import path from 'node:path';
import { runStatus } from './status.js';
import { runAuth } from './auth.js';

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
      const config = load(command.config, { unsetInUpstream: 'refuse' });
      if (!config) return EXIT_INVALID;
      const names = config.upstreams.map((u) => u.name).join(', ');
      process.stdout.write(`${config.file}: valid (${config.upstreams.length} upstreams: ${names})\n`);
      return 0;
    }
    case 'list': {
      const config = load(command.config);
      if (!config) return EXIT_INVALID;
      process.stderr.write(`mcproxy list: ${config.file} (${locateConfig(command.config).source})\n`);
      configureLogging({ level: 'warn', file: config.logging.file });
      const view = chosenView(config, command.profile);
      if (!view) return EXIT_INVALID;
      const report = await collectCatalog(config, view);
      process.stdout.write(command.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
      return report.failed.length === 0 ? 0 : 1;
    }
    case 'init':
      return runInit(command);
    case 'vcon':
      return runVconCommand(command, load);
    case 'pins': {
      const config = load(command.config);
      if (!config) return EXIT_INVALID;
      configureLogging({ level: 'warn', file: config.logging.file });
      const { output, code } = await runPins(config, command.action, command.selector);
      process.stdout.write(output);
      return code;
    }
    case 'status': {
      // The config only says where to look; without --url it must load.
      const config = command.url === undefined ? load(command.config) : undefined;
      if (command.url === undefined && !config) return EXIT_INVALID;
      return runStatus(command, config, (text) => process.stdout.write(text));
    }
    case 'auth': {
      const config = load(command.config);
      if (!config) return EXIT_INVALID;
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
  const config = load(command.config);
  if (!config) return EXIT_INVALID;
  // The command line wins over the file, on every reload too.
  const overrides = (config: ProxyConfig) => {
    if (command.transport) config.server.transport = command.transport;
    if (command.host) config.server.host = command.host;
    if (command.port !== undefined) config.server.port = command.port;
  };
  overrides(config);
  configureLogging(config.logging);
  hideInLogs(configSecrets(config));
  if (!chosenView(config, command.profile)) return EXIT_INVALID;
  if (config.naming.onCollision === 'error') {
    const collisions = await startupCollisions(config);
    if (collisions.length > 0) {
      process.stderr.write(`${config.file}: naming.onCollision is error, and:\n${collisions.map((c) => `  ${c}`).join('\n')}\n`);
      return EXIT_INVALID;
    }
  }
  const { transport, host } = config.server;
  const unauthenticated = transport === 'http' ? anonymousBindRefusal(host, config.server.auth) : undefined;
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
  let proxy;
  try {
    proxy = await startProxy(config, { profile: command.profile });
  } catch (error) {
    const failure = listenFailure(error, host, config.server.port);
    if (!failure) throw error;
    process.stderr.write(`mcproxy: ${failure}\n`);
    return EXIT_CANNOT_LISTEN;
  }
  const stopOperating = await operate(proxy, config, overrides);
  await proxy.stopped;
  await stopOperating();
  return 0;
}

/** `mcproxy reload` / `mcproxy restart UPSTREAM`: asks each proxy running this config. */
async function control(command: Extract<Command, { kind: 'reload' | 'restart' }>): Promise<number> {
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

/** The view `--profile` names (or the default one), or undefined after saying there is no such profile. */
function chosenView(config: ProxyConfig, profile: string | undefined): View | undefined {
  try {
    return viewOf(config, profile);
  } catch (error) {
    if (!(error instanceof UnknownProfileError)) throw error;
    process.stderr.write(`mcproxy: --profile: ${error.message}\n`);
    return undefined;
  }
}

/** The config, or undefined after printing every problem in it (and, for a missing file, where mcproxy looks). */
function load(option: string | undefined, options: LoadOptions = { unsetInUpstream: 'disable' }): ProxyConfig | undefined {
  const location = locateConfig(option);
  try {
    return loadConfig(location.file, process.env, options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(formatProblems(error.problems) + '\n');
    if (error.problems.some((problem) => problem.message.startsWith('file not found'))) {
      process.stderr.write(`mcproxy looks for its config in this order (this one came from ${location.source}):\n${searchOrder()}\n`);
    }
    return undefined;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Lingering sockets or timers must not keep a finished command alive.
    setTimeout(() => process.exit(code), 100).unref();
  },
  (error: unknown) => {
    log.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
