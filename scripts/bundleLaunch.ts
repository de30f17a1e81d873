// Makes the launch bundle (src/cli/launchBundle.ts says why): dist/src/cli/commands.js and all
// it imports, mcproxy's modules and its dependencies, in one CommonJS file,
// dist/src/cli/bundle/commands.cjs. Run by `npm run build` after tsc, from dist.
// Each module keeps its own import.meta.url (the file it was built from, beside the bundle in
// dist/src): its reads of package.json, the bundled config or the vCon schema, its workers and
// its createRequire find what they found before. A dependency that uses import.meta fails the build.
import { build, type Plugin } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = path.join(ROOT, 'dist/src/cli');
const OUT = path.join(CLI, 'bundle');
const OWN = path.join(ROOT, 'dist/src') + path.sep;

/** import.meta.url of each of mcproxy's modules: its file's URL, from the bundle's place at run time (the package may have moved since the build). */
const ownImportMeta: Plugin = {
  name: 'own-import-meta',
  setup(builder) {
    builder.onLoad({ filter: /\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta')) return undefined;
      if (!args.path.startsWith(OWN)) throw new Error(`${args.path} uses import.meta: the launch bundle cannot keep its meaning`);
      const relative = path.relative(OUT, args.path).split(path.sep).join('/');
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(relative)}, __bundleUrl).href`), loader: 'js' };
    });
  },
};

rmSync(OUT, { recursive: true, force: true });
const outfile = path.join(OUT, 'commands.cjs');
await build({
  entryPoints: [path.join(CLI, 'commands.js')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20.19', // package.json's engines
  // Every launch reads the whole file: no comments or indentation (names stay, for stack traces).
  minifyWhitespace: true,
  // undici (a third of the bundle) loads only for an HTTP upstream or a conserver: required from node_modules then.
  external: ['undici'],
  // import() of what stays outside (Node's modules, undici) as require(): a script compiled from
  // V8's code cache has no dynamic import in Node 20 ("A dynamic import callback was not specified").
  supported: { 'dynamic-import': false },
  // __filename: the bundle, as launchBundle.ts runs it.
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [ownImportMeta],
  logLevel: 'warning',
});
// ASCII only, so that the launch reads it as a one-byte string (launchBundle.ts). esbuild escapes
// every other character in code; what is left is in the licence comments it keeps.
const text = readFileSync(outfile, 'utf8');
if (/(^|[^\w$.])import\s*\(/.test(text)) throw new Error(`${outfile} has an import(), which fails from V8's code cache`);
writeFileSync(outfile, text.replace(/[^\x00-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`));
