// One winston logger for the whole process. It never writes to stdout: in stdio mode stdout
// carries the MCP protocol, so logs go to stderr and, when configured, to a file. Lines name
// the upstream and session they are about (`upstream`, `session` metadata); `logging.format`
// picks text or one JSON object per line; secrets are scrubbed from every line (logSecrets.ts).
import winston from 'winston';
import { SecretScrubber } from './logSecrets.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFormat = 'text' | 'json';

const scrubber = new SecretScrubber();

const scrub = winston.format((info) => {
  if (typeof info.message === 'string') info.message = scrubber.scrub(info.message);
  return info;
});

const text = winston.format.printf(({ level, message, timestamp, upstream, session }) => {
  const where = [upstream && `upstream=${upstream}`, session && `session=${session}`].filter(Boolean).join(' ');
  return `${timestamp} ${level} ${where ? `[${where}] ` : ''}${message}`;
});

const formats: Record<LogFormat, winston.Logform.Format> = {
  text: winston.format.combine(scrub(), winston.format.timestamp(), text),
  json: winston.format.combine(scrub(), winston.format.timestamp(), winston.format.json()),
};

export const log = winston.createLogger({
  level: process.env.MCPROXY_LOG_LEVEL ?? 'info',
  format: formats.text,
  transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
});

/** Applies the config's logging section: level, format, and an optional file beside stderr. */
export function configureLogging(options: { level: LogLevel; file?: string; format?: LogFormat }): void {
  log.level = process.env.MCPROXY_LOG_LEVEL ?? options.level;
  log.format = formats[options.format ?? 'text'];
  if (options.file) log.add(new winston.transports.File({ filename: options.file }));
}

/** Values that must never appear in a log line (the config's credentials). */
export function hideInLogs(values: readonly string[]): void {
  scrubber.add(values);
}
