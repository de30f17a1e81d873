// One winston logger for the whole process. It never writes to stdout: in stdio mode stdout
// carries the MCP protocol, so logs go to stderr and, when configured, to a file.
import winston from 'winston';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const line = winston.format.printf(({ level, message, timestamp, upstream, session }) => {
  const where = [upstream && `upstream=${upstream}`, session && `session=${session}`].filter(Boolean).join(' ');
  return `${timestamp} ${level} ${where ? `[${where}] ` : ''}${message}`;
});

export const log = winston.createLogger({
  level: process.env.MCPROXY_LOG_LEVEL ?? 'info',
  format: winston.format.combine(winston.format.timestamp(), line),
  transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
});

/** Applies the config's logging section: level, and an optional file beside stderr. */
export function configureLogging(options: { level: LogLevel; file?: string }): void {
  log.level = process.env.MCPROXY_LOG_LEVEL ?? options.level;
  if (options.file) log.add(new winston.transports.File({ filename: options.file }));
}
