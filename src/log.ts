// One winston logger for the whole process. It never writes to stdout: in stdio mode stdout
// carries the MCP protocol, so logs go to stderr and, when configured, to a file. Lines name
// the upstream and session they are about (`upstream`, `session` metadata); `logging.format`
// picks text or one JSON object per line; secrets are scrubbed from every line (logSecrets.ts).
// winston is required on the first line that passes the level, not at start: a launched stdio
// proxy that logs nothing never loads it (it costs ~90 ms before the first upstream can start).
import { createRequire } from 'node:module';
import type winstonModule from 'winston';
import { SecretScrubber } from './logSecrets.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFormat = 'text' | 'json';
type Meta = Record<string, unknown>;

/** winston's default (npm) levels: a line is written when its rank is at most the logger's level's. */
const RANKS: Record<string, number> = { error: 0, warn: 1, info: 2, http: 3, verbose: 4, debug: 5, silly: 6 };

const scrubber = new SecretScrubber();
const settings: { level: string; format: LogFormat; files: string[] } = { level: process.env.MCPROXY_LOG_LEVEL ?? 'info', format: 'text', files: [] };
let winston: typeof winstonModule | undefined;
let logger: winstonModule.Logger | undefined;

function formatFor(format: LogFormat): winstonModule.Logform.Format {
  const w = winston!;
  const scrub = w.format((info) => {
    if (typeof info.message === 'string') info.message = scrubber.scrub(info.message);
    return info;
  });
  if (format === 'json') return w.format.combine(scrub(), w.format.timestamp(), w.format.json());
  const text = w.format.printf(({ level, message, timestamp, upstream, session }) => {
    const where = [upstream && `upstream=${upstream}`, session && `session=${session}`].filter(Boolean).join(' ');
    return `${timestamp} ${level} ${where ? `[${where}] ` : ''}${message}`;
  });
  return w.format.combine(scrub(), w.format.timestamp(), text);
}

function winstonLogger(): winstonModule.Logger {
  if (logger) return logger;
  winston = createRequire(import.meta.url)('winston') as typeof winstonModule;
  logger = winston.createLogger({
    level: settings.level,
    format: formatFor(settings.format),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
  for (const filename of settings.files) logger.add(new winston.transports.File({ filename }));
  return logger;
}

function write(level: string, message: string, meta?: Meta): void {
  const rank = RANKS[level];
  const threshold = RANKS[settings.level];
  // An unknown level is winston's to judge.
  if (rank !== undefined && threshold !== undefined && rank > threshold) return;
  if (meta === undefined) winstonLogger().log(level, message);
  else winstonLogger().log(level, message, meta);
}

/** The process's logger: winston's methods, by level. */
export const log = {
  log: write,
  error: (message: string, meta?: Meta) => write('error', message, meta),
  warn: (message: string, meta?: Meta) => write('warn', message, meta),
  info: (message: string, meta?: Meta) => write('info', message, meta),
  debug: (message: string, meta?: Meta) => write('debug', message, meta),
};

/** Applies the config's logging section: level, format, and an optional file beside stderr. */
export function configureLogging(options: { level: LogLevel; file?: string; format?: LogFormat }): void {
  settings.level = process.env.MCPROXY_LOG_LEVEL ?? options.level;
  settings.format = options.format ?? 'text';
  if (options.file) settings.files.push(options.file);
  if (!logger) return;
  logger.level = settings.level;
  logger.format = formatFor(settings.format);
  if (options.file) logger.add(new winston!.transports.File({ filename: options.file }));
}

/** Values that must never appear in a log line (the config's credentials). */
export function hideInLogs(values: readonly string[]): void {
  scrubber.add(values);
}
