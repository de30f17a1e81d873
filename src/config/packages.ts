// `package:` upstreams: an npm package's bin, run with the Node that runs mcproxy. Found with
// Node's module lookup from the config's folder, then from mcproxy's own install, so it works
// in a checkout, a global install and npx (which hoists dependencies) alike.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of the mcproxy package, seen from dist/src/config/. */
const MCPROXY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The absolute path of the script `name`'s bin runs; throws an Error that says how to get it. */
export function packageEntry(name: string, configFolder: string): string {
  const folder = packageFolder(name, configFolder);
  if (!folder) {
    throw new Error(`the npm package ${name} is not installed next to the config or with mcproxy: \`npm install -g ${name}\`, or run it with \`command: npx\` and \`args: [-y, ${name}]\``);
  }
  const manifest = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as { name?: string; bin?: string | Record<string, string> };
  const bins = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {});
  const unscoped = name.split('/').pop()!;
  const bin = typeof manifest.bin === 'object' && bins.length > 1 ? (manifest.bin[unscoped] ?? bins[0]) : bins[0];
  if (!bin) throw new Error(`the npm package ${name} has no \`bin\` to run: give \`command\` and \`args\` instead`);
  return path.resolve(folder, bin);
}

function packageFolder(name: string, configFolder: string): string | undefined {
  for (const base of [configFolder, MCPROXY_ROOT]) {
    const lookIn = createRequire(path.join(base, 'mcproxy-lookup.js')).resolve.paths(name) ?? [];
    const found = lookIn.map((dir) => path.join(dir, name)).find((dir) => existsSync(path.join(dir, 'package.json')));
    if (found) return found;
  }
  return undefined;
}
