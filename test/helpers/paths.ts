// Where things are, seen from the compiled tests in dist/test/.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = path.resolve(fileURLToPath(import.meta.url), '../../../..');
export const CLI = path.join(ROOT, 'dist/src/cli/main.js');
export const FIXTURES = path.join(ROOT, 'dist/test/fixtures');
export const SHARED = path.resolve(ROOT, '../shared');

/** The entry script of a real MCP server package installed from npm. */
export function serverPackage(name: 'everything' | 'memory' | 'filesystem'): string {
  return path.join(ROOT, `node_modules/@modelcontextprotocol/server-${name}/dist/index.js`);
}
