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
import { runPins } from './pins.js';

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
      const report = await collectCatalog(config);
      process.stdout.write(command.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
      return report.failed.length === 0 ? 0 : 1;
    }
    case 'pins': {
      const config = load(command.config);
      if (!config) return EXIT_INVALID;
      configureLogging({ level: 'warn', file: config.logging.file });
      const { output, code } = await runPins(config, command.action, command.selector);
      process.stdout.write(output);
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
  const proxy = await startProxy(config);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log.info(`${signal}: shutting down`);
      void proxy.stop();
    });
  }
  await proxy.stopped;
  return 0;
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
