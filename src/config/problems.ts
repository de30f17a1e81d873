// What went wrong in a config file, and how it is shown to the user.
import path from 'node:path';

/** A location inside the parsed document: map keys and list indexes, outermost first. */
export type ConfigPath = readonly (string | number)[];

/** A problem found while checking the document, before it is placed at a file line. */
export interface PathProblem {
  path: ConfigPath;
  message: string;
}

export interface ConfigProblem {
  file: string;
  /** 1-based line of the offending key or value (of its parent map when the key is missing). */
  line?: number;
  column?: number;
  /** Key path like "upstreams.everything.timeoutMs"; "" for the document as a whole. */
  path: string;
  /** What was expected. Never contains a value that came from an environment variable. */
  message: string;
}

/** Thrown by loadConfig; lists every problem found, not only the first. */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(formatProblems(problems));
    this.name = 'ConfigError';
  }
}

/** One line per problem: `file:line:column key.path: message` (`file:line:column: message` without a path). */
export function formatProblems(problems: readonly ConfigProblem[]): string {
  return problems.map(formatProblem).join('\n');
}

function formatProblem(problem: ConfigProblem): string {
  let where = displayFile(problem.file);
  if (problem.line !== undefined) where += `:${problem.line}:${problem.column ?? 1}`;
  return problem.path ? `${where} ${problem.path}: ${problem.message}` : `${where}: ${problem.message}`;
}

/** Paths under the working directory are shown relative to it, as the user would type them. */
function displayFile(file: string): string {
  if (!path.isAbsolute(file)) return file;
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `upstreams.everything.args[0]`; keys that aren't plain words are quoted: `mcpServers["my server"]`. */
export function formatPath(configPath: ConfigPath): string {
  let text = '';
  for (const segment of configPath) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

const MAX_SHOWN_LENGTH = 60;

/**
 * How a received value is named in a message. Values built from environment variables are
 * never shown (they are often secrets): the message names the variables instead.
 */
export function describeValue(value: unknown, fromVariables?: readonly string[]): string {
  if (fromVariables?.length) {
    return `the value of ${fromVariables.map((name) => `\${${name}}`).join(', ')} (not shown)`;
  }
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a map';
  if (typeof value === 'string') {
    const shown = value.length > MAX_SHOWN_LENGTH ? `${value.slice(0, MAX_SHOWN_LENGTH)}…` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}
