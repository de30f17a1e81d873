// Config files of other MCP clients, accepted as pasted: Claude Desktop's and Cursor's
// `mcpServers`, VS Code's `servers` (with `inputs`), Windsurf's `serverUrl`, Cline's
// `disabled`/`autoApprove`. Runs on the parsed document before validation and rewrites it in
// place; what is honoured is converted, what has no meaning in mcproxy is dropped with a note.
// mcproxy's own `upstreams:` section stays strict: a stray key there is a typo.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnvFile } from './envFile.js';
import { isPlainMap, type PlainMap } from './document.js';
import type { PathProblem } from './problems.js';

/** Sections that hold servers the way MCP clients write them. */
export const CLIENT_SECTIONS = ['mcpServers', 'servers'] as const;

/** Per-server keys of other clients that mcproxy has no use for: the client decides about approvals. */
const IGNORED_SERVER_KEYS: Record<string, string> = {
  autoApprove: 'tool approval is up to the client that runs mcproxy',
  alwaysAllow: 'tool approval is up to the client that runs mcproxy',
};

export interface Adapted {
  problems: PathProblem[];
  /** Things ignored on purpose, for the user to know about. */
  notes: PathProblem[];
}

/**
 * `knownTopLevelKeys`: mcproxy's own sections. In a file with a client section, any other
 * top-level key (`globalShortcut`, `inputs`, ...) belongs to that client and is dropped.
 */
export function adaptClientConfig(document: unknown, folder: string, knownTopLevelKeys: readonly string[]): Adapted {
  const adapted: Adapted = { problems: [], notes: [] };
  if (!isPlainMap(document) || !CLIENT_SECTIONS.some((section) => isPlainMap(document[section]))) return adapted;

  for (const key of Object.keys(document)) {
    if (knownTopLevelKeys.includes(key)) continue;
    const why = key === 'inputs' ? "VS Code's input prompts are not supported; put secrets in environment variables and write ${NAME}" : 'not a server setting';
    adapted.notes.push({ path: [key], message: `ignored (${why})` });
    delete document[key];
  }
  for (const section of CLIENT_SECTIONS) {
    const servers = document[section];
    if (!isPlainMap(servers)) continue;
    for (const [name, server] of Object.entries(servers)) {
      if (isPlainMap(server)) adaptServer(server, [section, name], folder, adapted);
    }
  }
  return adapted;
}

function adaptServer(server: PlainMap, at: readonly string[], folder: string, adapted: Adapted): void {
  for (const [key, why] of Object.entries(IGNORED_SERVER_KEYS)) {
    if (!(key in server)) continue;
    adapted.notes.push({ path: [...at, key], message: `ignored (${why})` });
    delete server[key];
  }
  // Windsurf's name for `url`.
  if ('serverUrl' in server && !('url' in server)) {
    server.url = server.serverUrl;
    delete server.serverUrl;
  }
  // Cline's `disabled: true` is our `enabled: false`.
  if ('disabled' in server) {
    const { disabled } = server;
    if (typeof disabled !== 'boolean') adapted.problems.push({ path: [...at, 'disabled'], message: 'expected true or false' });
    else if (server.enabled !== undefined && server.enabled === disabled) adapted.problems.push({ path: [...at, 'disabled'], message: 'contradicts `enabled`: give only one of them' });
    else server.enabled ??= !disabled;
    delete server.disabled;
  }
  // VS Code's `envFile`: variables from a dotenv file, under the server's own `env`.
  if ('envFile' in server) {
    const { envFile } = server;
    delete server.envFile;
    if (typeof envFile !== 'string') {
      adapted.problems.push({ path: [...at, 'envFile'], message: 'expected the path of a KEY=value file' });
      return;
    }
    const file = path.resolve(folder, envFile);
    try {
      const fromFile = parseEnvFile(readFileSync(file, 'utf8'));
      server.env = { ...fromFile, ...(isPlainMap(server.env) ? server.env : {}) };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      adapted.problems.push({ path: [...at, 'envFile'], message: code === 'ENOENT' ? `file not found: ${file}` : `cannot read ${file}: ${(error as Error).message}` });
    }
  }
}
