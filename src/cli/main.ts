#!/usr/bin/env node
// The `mcproxy` command. Only this file writes to stdout, and never in stdio proxy mode,
// where stdout carries the MCP protocol.
import { ConfigError, findDefaultConfig, formatProblems, loadConfig } from '../config/load.js';
import type { ProxyConfig } from '../config/schema.js';
import { configureLogging, log } from '../log.js';
import { startProxy } from '../proxy.js';
import { PROXY_VERSION } from '../version.js';
import { parseCommand, USAGE, UsageError, type Command } from './args.js';
import { collectCatalog, formatReport } from './list.js';
import { startupCollisions } from './collisionCheck.js';
import { UnknownProfileError, viewOf, type View } from '../catalog/view.js';

const EXIT_INVALID = 2;

async function main(argv: string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`mcproxy: ${error.message}\n\n${USAGE}`);
    return EXIT_INVALID;
  }
  switch (command.kind) {
    case 'help':
      process.stdout.write(USAGE);
      return 0;
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
  const proxy = await startProxy(config, { profile: command.profile });
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

/** The config, or undefined after printing every problem in it. */
function load(file: string | undefined): ProxyConfig | undefined {
  try {
    return loadConfig(file ?? findDefaultConfig());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(formatProblems(error.problems) + '\n');
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
