// Where `mcproxy init` looks for each client's config, per platform.
import assert from 'node:assert/strict';
import path from 'node:path';
import { CLIENTS, type Place } from '../../src/init/clients.js';

const filesOn = (platform: NodeJS.Platform, env: NodeJS.ProcessEnv = {}) => {
  const place: Place = { home: '/home/me', platform, env, cwd: '/work/project' };
  return Object.fromEntries(CLIENTS.map((client) => [client.id, client.files(place)]));
};

describe('init: client config locations', () => {
  it('on Linux, under ~/.config (or $XDG_CONFIG_HOME) and the project folder', () => {
    assert.deepEqual(filesOn('linux'), {
      'claude-desktop': ['/home/me/.config/Claude/claude_desktop_config.json'],
      'claude-code': ['/home/me/.claude.json', '/work/project/.mcp.json'],
      cursor: ['/home/me/.cursor/mcp.json', '/work/project/.cursor/mcp.json'],
      vscode: ['/home/me/.config/Code/User/mcp.json', '/work/project/.vscode/mcp.json'],
      windsurf: ['/home/me/.codeium/windsurf/mcp_config.json'],
      cline: ['/home/me/.config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json'],
      gemini: ['/home/me/.gemini/settings.json', '/work/project/.gemini/settings.json'],
    });
    assert.deepEqual(filesOn('linux', { XDG_CONFIG_HOME: '/xdg' })['claude-desktop'], ['/xdg/Claude/claude_desktop_config.json']);
  });

  it('on macOS, under ~/Library/Application Support', () => {
    const files = filesOn('darwin');
    assert.deepEqual(files['claude-desktop'], ['/home/me/Library/Application Support/Claude/claude_desktop_config.json']);
    assert.deepEqual(files.vscode?.[0], '/home/me/Library/Application Support/Code/User/mcp.json');
  });

  it('on Windows, under %APPDATA%', () => {
    const files = filesOn('win32', { APPDATA: 'C:\\Users\\me\\AppData\\Roaming' });
    assert.deepEqual(files['claude-desktop'], [path.join('C:\\Users\\me\\AppData\\Roaming', 'Claude', 'claude_desktop_config.json')]);
    assert.deepEqual(files.cline, [path.join('C:\\Users\\me\\AppData\\Roaming', 'Code', 'User', 'globalStorage', 'saoudrizwan.claude-dev', 'settings', 'cline_mcp_settings.json')]);
  });
});
