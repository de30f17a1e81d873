// Reads mcproxy.yaml (or a JSON file, e.g. Claude Desktop's config) into a validated ProxyConfig.
// Pipeline: read → parse YAML → expand ${VAR} → adjust for the schema → validate → normalize.
// Every problem found on the way is collected and thrown together as one ConfigError.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { log } from '../log.js';
import { isPlainMap, pathKey, valueAt } from './document.js';
import { expandEnv, type EnvExpansion } from './env.js';
import { expectationMessage, problemsFromIssues } from './issues.js';
import { checkPolicies } from './policyChecks.js';
import { checkPackages, checkUpstreamSet, normalizeConfig } from './normalize.js';
import { adaptClientConfig } from './clientShapes.js';
import { applyClaudeDesktopTypes, coerceExpandedScalars } from './prepare.js';
import { ConfigError, describeValue, formatPath, formatProblems, type ConfigPath, type ConfigProblem, type PathProblem } from './problems.js';
import { ConfigSchema, type ProxyConfig } from './schema.js';
import { dataDir, PATH_VARIABLES, predefinedVariables } from './locate.js';
import { parseEnvFile } from './envFile.js';
import { UPSTREAM_SECTIONS } from './normalize.js';
import { SourceMap } from './source-map.js';
import { plainYamlErrors } from './yamlErrors.js';
import type { ConfigInputs } from './validatedCache.js';

export { ConfigError, formatProblems, type ConfigProblem } from './problems.js';

export interface LoadOptions {
  /**
   * What an unset `${VAR}` inside an upstream does: `refuse` (a problem, as `validate` reports
   * it) or `disable` (that upstream stays out, said in one warning; the others run).
   */
  unsetInUpstream?: 'refuse' | 'disable';
}

/** The file beside a config whose `KEY=value` lines fill `${VAR}`s the environment does not set. */
export const ENV_FILE = '.env';

/** Loads and validates `file`; throws ConfigError listing every problem found. Notes go to the log. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): ProxyConfig {
  return logLoaded(loadConfigWithNotes(file, env, options)).config;
}

/** Logs what loading noted and the upstreams it left out; returns the notes as the lines logged. */
export function logLoaded<T extends { notes: ConfigProblem[]; disabled: string[] }>(loaded: T): T & { noteLines: string[] } {
  const noteLines = loaded.notes.map((note) => formatProblems([note]));
  for (const line of noteLines) log.info(line);
  for (const line of loaded.disabled) log.warn(line);
  return { ...loaded, noteLines };
}

/**
 * loadConfig, and what it ignored on purpose (another client's keys), each with its place, and
 * the upstreams it left out for an unset variable (with `unsetInUpstream: 'disable'`), in words.
 */
export function loadConfigWithNotes(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  options: LoadOptions = {},
): { config: ProxyConfig; notes: ConfigProblem[]; disabled: string[]; inputs: ConfigInputs } {
  const absoluteFile = path.resolve(file);
  const text = readConfigText(file, absoluteFile);

  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const sourceMap = new SourceMap(document, lineCounter);
  const toProblem = ({ path: configPath, message }: PathProblem): ConfigProblem => ({
    file,
    ...sourceMap.positionOf(configPath),
    path: formatPath(configPath),
    message,
  });

  if (document.errors.length > 0) {
    const plain = plainYamlErrors(document.errors, text, (offset) => sourceMap.positionOfOffset(offset).line);
    throw new ConfigError(plain.map(({ offset, message }) => ({ file, ...sourceMap.positionOfOffset(offset), path: '', message: `YAML syntax: ${message}` })));
  }
  for (const warning of document.warnings) {
    const { line, column } = sourceMap.positionOfOffset(warning.pos[0]);
    log.warn(`${file}:${line}:${column} ${warning.message}`);
  }
  if (document.contents === null) {
    throw new ConfigError([{ file, path: '', message: 'the file is empty: expected a map with `upstreams:` or `mcpServers:`' }]);
  }

  const envFile = path.join(path.dirname(absoluteFile), ENV_FILE);
  const variables = { ...predefinedVariables(absoluteFile), ...readEnvFile(envFile, file), ...env };
  const expanded = expandEnv(toPlainData(document, file), variables);
  const data = expanded.value;
  const disabled = options.unsetInUpstream === 'disable' ? disableUpstreamsWithUnsetVariables(data, expanded.problems) : [];
  const envProblemPaths = new Set(expanded.problems.map((problem) => pathKey(problem.path)));
  const unsetProblems = expanded.problems.filter((problem) => !disabled.some((d) => d.problem === problem));
  const describeValueAt = valueDescriber(data, expanded.expansions);
  coerceExpandedScalars(data, expanded.expansions);
  const readsOtherFiles = namesOtherFiles(data);

  const adapted = adaptClientConfig(data, path.dirname(absoluteFile), Object.keys(ConfigSchema.shape));
  const problems = [
    ...unsetProblems,
    ...adapted.problems,
    ...applyClaudeDesktopTypes(data, describeValueAt),
    ...checkUpstreamSet(data, describeValueAt),
    ...checkPolicies(data, absoluteFile),
  ];
  const result = ConfigSchema.safeParse(data, { error: expectationMessage });
  if (!result.success) {
    // A value blanked by a missing variable would also fail its type check: say it once.
    const schemaProblems = problemsFromIssues(result.error.issues, ConfigSchema, { data, describeValueAt });
    problems.push(...schemaProblems.filter((problem) => !envProblemPaths.has(pathKey(problem.path))));
  }

  if (result.success) problems.push(...checkPackages(result.data, absoluteFile));
  if (problems.length > 0 || !result.success) throw new ConfigError(inFileOrder(problems.map(toProblem)));
  // Servers told to keep data under ${MCPROXY_DATA_DIR} find the folder there on first run, with
  // its files/ folder: the one a file server is given, so that the proxy's own state beside it
  // (vCons, the pin file) stays out of that server's reach.
  if (expanded.expansions.some((expansion) => expansion.variables.includes('MCPROXY_DATA_DIR'))) {
    mkdirSync(path.join(dataDir({ env: variables }), 'files'), { recursive: true });
  }
  const envReferences = [...new Set(expanded.expansions.flatMap((expansion) => expansion.variables))];
  const disabledLines = [...new Map(disabled.map((d) => [d.upstream, d])).values()].map(
    (d) => formatProblems([{ ...toProblem(d.problem), message: `upstream ${d.upstream} is disabled: environment variable ${d.variable} is not set (set it in ${envFile} or in the environment that starts mcproxy)` }]),
  );
  const inputs: ConfigInputs = {
    file: absoluteFile,
    text,
    variables: Object.fromEntries(envReferences.filter((name) => PATH_VARIABLES.has(name)).map((name) => [name, variables[name] ?? ''])),
    fromFileAlone: envReferences.every((name) => PATH_VARIABLES.has(name)) && !readsOtherFiles && document.warnings.length === 0 && disabled.length === 0,
  };
  return { config: normalizeConfig(result.data, absoluteFile, envReferences), notes: inFileOrder(adapted.notes.map(toProblem)), disabled: disabledLines, inputs };
}

/** Whether an upstream names another file the config depends on: a `package:` (resolved where installed) or an `envFile:`. */
function namesOtherFiles(data: unknown): boolean {
  if (!isPlainMap(data)) return false;
  return UPSTREAM_SECTIONS.some((section) => {
    const servers = data[section];
    return isPlainMap(servers) && Object.values(servers).some((server) => isPlainMap(server) && ('package' in server || 'envFile' in server));
  });
}

/** `.env` beside the config, when there is one; a file that cannot be read is a config problem. */
function readEnvFile(envFile: string, file: string): Record<string, string> {
  if (!existsSync(envFile)) return {};
  try {
    return parseEnvFile(readFileSync(envFile, 'utf8'));
  } catch (error) {
    throw new ConfigError([{ file: envFile, path: '', message: `cannot read it (it fills \${VAR}s of ${file}): ${(error as Error).message}` }]);
  }
}

interface DisabledUpstream {
  upstream: string;
  variable: string;
  problem: PathProblem;
}

/** Marks `enabled: false` every upstream with an unset variable in it; returns them with the problem that did it. */
function disableUpstreamsWithUnsetVariables(data: unknown, problems: readonly PathProblem[]): DisabledUpstream[] {
  const disabled: DisabledUpstream[] = [];
  for (const problem of problems) {
    const [section, name] = problem.path;
    const unset = /^environment variable (\w+) is not set/.exec(problem.message);
    if (!unset || !(UPSTREAM_SECTIONS as readonly unknown[]).includes(section) || typeof name !== 'string') continue;
    const upstream = (data as Record<string, Record<string, Record<string, unknown>>>)[section as string]?.[name];
    if (!upstream || typeof upstream !== 'object') continue;
    disabled.push({ upstream: name, variable: unset[1]!, problem });
  }
  for (const { problem } of disabled) {
    const [section, name] = problem.path as [string, string];
    (data as Record<string, Record<string, Record<string, unknown>>>)[section]![name]!.enabled = false;
  }
  return disabled;
}

function readConfigText(file: string, absoluteFile: string): string {
  try {
    return readFileSync(absoluteFile, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT' ? `file not found${file === absoluteFile ? '' : ` (looked for ${absoluteFile})`}`
      : code === 'EISDIR' ? 'is a directory; expected a YAML or JSON file'
      : code === 'EACCES' ? 'permission denied'
      : `cannot read the file: ${(error as Error).message}`;
    throw new ConfigError([{ file, path: '', message }]);
  }
}

/** The document as plain objects; the only thing that can still fail here is alias expansion. */
function toPlainData(document: Document, file: string): unknown {
  try {
    return document.toJS();
  } catch (error) {
    throw new ConfigError([{ file, path: '', message: (error as Error).message }]);
  }
}

/** Names the value at a path for messages, but never one that came from the environment. */
function valueDescriber(data: unknown, expansions: readonly EnvExpansion[]): (configPath: ConfigPath) => string {
  const variablesByPath = new Map(expansions.map((expansion) => [pathKey(expansion.path), expansion.variables]));
  return (configPath) => describeValue(valueAt(data, configPath), variablesByPath.get(pathKey(configPath)));
}

function inFileOrder(problems: ConfigProblem[]): ConfigProblem[] {
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
