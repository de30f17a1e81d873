// Where MCP clients keep their server lists, per platform, and reading them. JSON with
// comments and trailing commas (VS Code's) is read with jsonc-parser.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { isPlainMap, type PlainMap } from '../config/document.js';

export interface Place {
  home: string;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** Project-level configs (.vscode/mcp.json, .cursor/mcp.json, .mcp.json) are looked for here. */
  cwd: string;
}

export function currentPlace(): Place {
  return { home: os.homedir(), platform: process.platform, env: process.env, cwd: process.cwd() };
}

export interface ClientKind {
  id: string;
  label: string;
  /** The key of the server map in its config file. */
  section: 'mcpServers' | 'servers';
  /** Its config files, the user-level one first. */
  files(place: Place): string[];
  /** Where in a file its server maps are, when not only at `section` (Claude Code's local scope). */
  serverMaps?(place: Place): string[][];
}

/** The folder applications keep settings in: %APPDATA%, ~/Library/Application Support, ~/.config. */
function appData({ home, platform, env }: Place): string {
  if (platform === 'win32') return env.APPDATA ?? path.join(home, 'AppData', 'Roaming');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support');
  return env.XDG_CONFIG_HOME || path.join(home, '.config');
}

export const CLIENTS: readonly ClientKind[] = [
  { id: 'claude-desktop', label: 'Claude Desktop', section: 'mcpServers', files: (p) => [path.join(appData(p), 'Claude', 'claude_desktop_config.json')] },
  {
    id: 'claude-code',
    label: 'Claude Code',
    section: 'mcpServers',
    files: (p) => [path.join(p.home, '.claude.json'), path.join(p.cwd, '.mcp.json')],
    // User scope, and the local scope: this folder's servers, kept in ~/.claude.json too.
    serverMaps: (p) => [['mcpServers'], ['projects', p.cwd, 'mcpServers']],
  },
  { id: 'cursor', label: 'Cursor', section: 'mcpServers', files: (p) => [path.join(p.home, '.cursor', 'mcp.json'), path.join(p.cwd, '.cursor', 'mcp.json')] },
  { id: 'vscode', label: 'VS Code', section: 'servers', files: (p) => [path.join(appData(p), 'Code', 'User', 'mcp.json'), path.join(p.cwd, '.vscode', 'mcp.json')] },
  { id: 'windsurf', label: 'Windsurf', section: 'mcpServers', files: (p) => [path.join(p.home, '.codeium', 'windsurf', 'mcp_config.json')] },
  {
    id: 'cline',
    label: 'Cline',
    section: 'mcpServers',
    files: (p) => [path.join(appData(p), 'Code', 'User', 'globalStorage', 'saoudrizwan.claude-dev', 'settings', 'cline_mcp_settings.json')],
  },
  { id: 'gemini', label: 'Gemini CLI', section: 'mcpServers', files: (p) => [path.join(p.home, '.gemini', 'settings.json'), path.join(p.cwd, '.gemini', 'settings.json')] },
];

/** The paths of a client's server maps in one of its files. */
export function serverMapsOf(client: ClientKind, place: Place): string[][] {
  return client.serverMaps?.(place) ?? [[client.section]];
}

export function clientById(id: string): ClientKind | undefined {
  return CLIENTS.find((client) => client.id === id);
}

export interface FoundConfig {
  client: ClientKind;
  file: string;
  text: string;
  /** The server map, by name; empty when the file has none or could not be read. */
  servers: Record<string, PlainMap>;
  /** Why the file could not be read, if it could not. */
  error?: string;
}

/** Every client config file that exists, in CLIENTS order. */
export function findClientConfigs(place: Place): FoundConfig[] {
  return CLIENTS.flatMap((client) => client.files(place).filter((file) => existsSync(file)).map((file) => readClientConfig(client, file, place)));
}

export function readClientConfig(client: ClientKind, file: string, place: Place): FoundConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { client, file, text: '', servers: {}, error: (error as Error).message };
  }
  const errors: ParseError[] = [];
  const data: unknown = parse(text, errors, { allowTrailingComma: true });
  if (errors.length > 0) {
    const [first] = errors;
    return { client, file, text, servers: {}, error: `not valid JSON (${printParseErrorCode(first!.error)} at offset ${first!.offset})` };
  }
  const servers: Record<string, PlainMap> = {};
  for (const mapPath of serverMapsOf(client, place)) {
    const map = mapPath.reduce<unknown>((value, key) => (isPlainMap(value) ? value[key] : undefined), data);
    if (!isPlainMap(map)) continue;
    for (const [name, server] of Object.entries(map)) if (isPlainMap(server) && !(name in servers)) servers[name] = server;
  }
  return { client, file, text, servers };
}

/** Whether a server entry starts mcproxy: the entry `--install` writes, or one a user wrote by hand. */
export function launchesMcproxy(name: string, server: PlainMap): boolean {
  if (name === INSTALLED_NAME) return true;
  const words = [server.command, ...(Array.isArray(server.args) ? server.args : [])].filter((word): word is string => typeof word === 'string');
  return words.some((word) => path.basename(word) === 'mcproxy' || /[\\/]mcproxy[\\/]/.test(word));
}

/** The name of the one server `--install` leaves in a client's config. */
export const INSTALLED_NAME = 'mcproxy';
