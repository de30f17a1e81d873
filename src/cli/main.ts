#!/usr/bin/env node
// The `mcproxy` command. Only this file writes to stdout, and never in stdio proxy mode,
// where stdout carries the MCP protocol.
import { ConfigError, formatProblems, loadConfig } from '../config/load.js';
import { locateConfig, searchOrder } from '../config/locate.js';
import type { ProxyConfig } from '../config/schema.js';
import { configureLogging, log } from '../log.js';
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
      const config = load(command.config);
      if (!config) return EXIT_INVALID;
      const names = config.upstreams.map((u) => u.name).join(', ');
      process.stdout.write(`${config.file}: valid (${config.upstreams.length} upstreams: ${names})\n`);
      return 0;
    }
    case 'list': {
      const config = load(command.config);
      if (!config) return EXIT_INVALID;
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
  }
}

async function run(command: Extract<Command, { kind: 'run' }>): Promise<number> {
  const config = load(command.config);
  if (!config) return EXIT_INVALID;
  if (command.transport) config.server.transport = command.transport;
  if (command.host) config.server.host = command.host;
  if (command.port !== undefined) config.server.port = command.port;
  configureLogging(config.logging);
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
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log.info(`${signal}: shutting down`);
      void proxy.stop();
    });
  }
  await proxy.stopped;
  return 0;
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
function load(option: string | undefined): ProxyConfig | undefined {
  const location = locateConfig(option);
  try {
    return loadConfig(location.file);
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
