// The validated config of the last launches, kept in <data folder>/validated-configs.json by a
// hash of the file's path: a proxy launched again with the same file skips the loader (yaml, the
// zod schema and its checks: ~170 ms of CPU, most of what a launched proxy did before it could
// answer its client). The cache is a memo of the loader, never a second source: an entry is used
// only for the very text the file holds now (a hash of it, read at every launch), with the same
// values of the path variables it refers to, by the same build of mcproxy; anything else loads the
// file, so a changed or broken config is read, and reported with file, line and key, as ever.
// It holds only configs that depend on nothing but that text (no `${VAR}` but the path variables,
// no `package:` or `envFile:`, no YAML warning, no upstream left out) and that carry no credential
// (no upstream `env:` or `headers:`, no `server.stateKey`, nothing the logs would hide): the same
// rules as the launch plan's (cli/launchPlan.ts), so nothing secret is copied into the data folder.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { configSecrets } from '../logSecrets.js';
import { PROXY_VERSION } from '../version.js';
import { parseEnvFile } from './envFile.js';
import { readRecords, recordKey, writeRecord } from './keptRecords.js';
import { dataDir, predefinedVariables } from './locate.js';
import type { ProxyConfig } from './schema.js';

/** MCPROXY_CONFIG_CACHE=0 turns the cache off: every launch loads the file, and nothing is kept. */
const SWITCH = 'MCPROXY_CONFIG_CACHE';

/** What the loader read to make a config (load.ts): all it depends on, when fromFileAlone. */
export interface ConfigInputs {
  /** The config file, absolute. */
  file: string;
  text: string;
  /** The path variables (locate.ts) the file refers to, with the values they had. */
  variables: Record<string, string>;
  /** Nothing else went into it: no other variable, no other file, no warning, no upstream left out. */
  fromFileAlone: boolean;
}

interface Entry {
  build: string;
  /** sha256 of the file's text. */
  text: string;
  variables: Record<string, string>;
  config: ProxyConfig;
  /** The loader's notes (keys of another client's format it ignored), logged again at each launch. */
  notes: string[];
  at: number;
}

const cacheFile = () => path.join(dataDir(), 'validated-configs.json');
const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

/** This build of mcproxy: its version and when its config modules were written (a rebuild may change the schema). */
function build(): string {
  const written = ['schema.js', 'load.js', 'normalize.js'].map((name) => statSync(fileURLToPath(new URL(name, import.meta.url))).mtimeMs);
  return `${PROXY_VERSION} ${written.join(' ')}`;
}

/** The values the path variables have now for this file, as the loader resolves them (load.ts): predefined, then `.env`, then the environment. */
function pathVariablesNow(absoluteFile: string, names: readonly string[]): Record<string, string> | undefined {
  const envFile = path.join(path.dirname(absoluteFile), '.env');
  let fromEnvFile: Record<string, string> = {};
  try {
    if (existsSync(envFile)) fromEnvFile = parseEnvFile(readFileSync(envFile, 'utf8'));
  } catch {
    return undefined; // the loader reports an unreadable .env
  }
  const variables: Record<string, string | undefined> = { ...predefinedVariables(absoluteFile), ...fromEnvFile, ...process.env };
  return Object.fromEntries(names.map((name) => [name, variables[name] ?? '']));
}

/** The config the loader made from this file as it is now, with the notes to log; undefined when it must load. */
export function cachedConfig(file: string): { config: ProxyConfig; notes: string[] } | undefined {
  if (process.env[SWITCH] === '0') return undefined;
  try {
    const absoluteFile = path.resolve(file);
    const entry = readRecords<Entry>(cacheFile())[recordKey(absoluteFile)];
    if (!entry || entry.build !== build() || entry.text !== hashOf(readFileSync(absoluteFile, 'utf8'))) return undefined;
    if (!isDeepStrictEqual(pathVariablesNow(absoluteFile, Object.keys(entry.variables)), entry.variables)) return undefined;
    // As the loader does for a file that refers to the data folder (load.ts).
    if (entry.variables.MCPROXY_DATA_DIR !== undefined) mkdirSync(path.join(entry.variables.MCPROXY_DATA_DIR, 'files'), { recursive: true });
    return { config: entry.config, notes: entry.notes };
  } catch {
    return undefined; // no such file, no cache: loading says what is wrong
  }
}

/** Keeps the config for the next launch, when it depends on its file alone and holds no credential. */
export function keepConfig(inputs: ConfigInputs, config: ProxyConfig, notes: readonly string[]): void {
  if (process.env[SWITCH] === '0' || !inputs.fromFileAlone || !holdsNoCredential(config)) return;
  // Kept as JSON: a config that would not come back the same stays out.
  const copy = JSON.parse(JSON.stringify(config)) as ProxyConfig;
  if (!isDeepStrictEqual(copy, config)) return;
  writeRecord<Entry>(cacheFile(), recordKey(inputs.file), { build: build(), text: hashOf(inputs.text), variables: inputs.variables, config: copy, notes: [...notes], at: Date.now() });
}

function holdsNoCredential(config: ProxyConfig): boolean {
  const carries = (map: Record<string, string> | undefined) => Object.keys(map ?? {}).length > 0;
  if (config.upstreams.some((upstream) => ('env' in upstream && carries(upstream.env)) || ('headers' in upstream && carries(upstream.headers)))) return false;
  return config.server.stateKey === undefined && configSecrets(config).length === 0;
}
