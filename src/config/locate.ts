// Where the config and the servers' data live, for a checkout, a global install or npx alike.
// Search order: --config, $MCPROXY_CONFIG, ./mcproxy.yaml, the user's config folder, then the
// default config bundled in the package.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** config/mcproxy.yaml of this package, seen from dist/src/config/. */
export const BUNDLED_CONFIG = fileURLToPath(new URL('../../../config/mcproxy.yaml', import.meta.url));

export type ConfigSource = '--config' | 'MCPROXY_CONFIG' | 'current folder' | 'user config folder' | 'bundled default';

export interface ConfigLocation {
  file: string;
  source: ConfigSource;
}

export interface Place {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  home?: string;
  platform?: NodeJS.Platform;
}

/** The config file to load; an explicit one (option or variable) is returned even if missing, so loading says so. */
export function locateConfig(option: string | undefined, place: Place = {}): ConfigLocation {
  const { env = process.env, cwd = process.cwd() } = place;
  if (option !== undefined) return { file: option, source: '--config' };
  if (env.MCPROXY_CONFIG) return { file: env.MCPROXY_CONFIG, source: 'MCPROXY_CONFIG' };
  const inCwd = path.join(cwd, 'mcproxy.yaml');
  if (existsSync(inCwd)) return { file: inCwd, source: 'current folder' };
  const inUserFolder = userConfigFile(place);
  if (existsSync(inUserFolder)) return { file: inUserFolder, source: 'user config folder' };
  return { file: BUNDLED_CONFIG, source: 'bundled default' };
}

/** ~/.config/mcproxy/mcproxy.yaml (or under $XDG_CONFIG_HOME); %APPDATA%\mcproxy\mcproxy.yaml on Windows. */
export function userConfigFile({ env = process.env, home = os.homedir(), platform = process.platform }: Place = {}): string {
  const base = platform === 'win32' ? (env.APPDATA ?? path.join(home, 'AppData', 'Roaming')) : (env.XDG_CONFIG_HOME || path.join(home, '.config'));
  return path.join(base, 'mcproxy', 'mcproxy.yaml');
}

/** $MCPROXY_DATA_DIR, else ~/.local/share/mcproxy (or under $XDG_DATA_HOME); %LOCALAPPDATA%\mcproxy on Windows. */
export function dataDir({ env = process.env, home = os.homedir(), platform = process.platform }: Place = {}): string {
  if (env.MCPROXY_DATA_DIR) return env.MCPROXY_DATA_DIR;
  const base = platform === 'win32' ? (env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local')) : (env.XDG_DATA_HOME || path.join(home, '.local', 'share'));
  return path.join(base, 'mcproxy');
}

/**
 * Variables every config may use without setting them: VS Code's own (its mcp.json files use
 * them; a workspace's file lives in <workspace>/.vscode/) and mcproxy's data folder. The
 * environment still wins when it sets them. They hold paths, not credentials.
 */
export function predefinedVariables(absoluteFile: string): Record<string, string> {
  const folder = path.dirname(absoluteFile);
  return {
    workspaceFolder: path.basename(folder) === '.vscode' ? path.dirname(folder) : folder,
    userHome: os.homedir(),
    MCPROXY_DATA_DIR: dataDir(),
  };
}

/** The names predefinedVariables() sets. */
export const PATH_VARIABLES: ReadonlySet<string> = new Set(['workspaceFolder', 'userHome', 'MCPROXY_DATA_DIR']);

/** For "not found" messages: every place looked at, in order. */
export function searchOrder(place: Place = {}): string {
  const cwd = place.cwd ?? process.cwd();
  return [
    '--config FILE',
    '$MCPROXY_CONFIG',
    path.join(cwd, 'mcproxy.yaml'),
    userConfigFile(place),
    `${BUNDLED_CONFIG} (bundled default)`,
  ]
    .map((where, index) => `  ${index + 1}. ${where}`)
    .join('\n');
}
