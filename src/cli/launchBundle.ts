// The launch bundle: `mcproxy run` from one CommonJS file (dist/src/cli/bundle/commands.cjs, made
// by `npm run build`: scripts/bundleLaunch.ts) compiled with V8's code cache, instead of ~230
// ES modules resolved, read and compiled one by one. A client that launches mcproxy (Claude
// Desktop, at every start) waits for the proxy's own start: most of it was Node's module loader
// and V8's compiling, which the cache skips (the SDK, zod, the session: the bytecode of every
// function the last run used). Node 20 has no compile cache for ES modules; for a script, V8's
// own cache does it. The bundle is the same code as dist/src (the build makes it from there):
// MCPROXY_BUNDLE=0, or a bundle older than dist/src (a `tsc` without the build's bundling step),
// runs the modules themselves.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { dataDir } from '../config/locate.js';

const BUNDLE = fileURLToPath(new URL('./bundle/commands.cjs', import.meta.url));
/** What the bundle is made from: a newer one means dist/src was rebuilt since. */
const SOURCE = fileURLToPath(new URL('./commands.js', import.meta.url));

/**
 * Runs the CLI from the bundle and returns true, or returns false (no bundle, an old one, or
 * MCPROXY_BUNDLE=0): then the caller imports commands.js.
 */
export function runBundle(): boolean {
  if (process.env.MCPROXY_BUNDLE === '0') return false;
  let source: string;
  let stamp: string;
  try {
    const bundle = statSync(BUNDLE);
    if (bundle.mtimeMs < statSync(SOURCE).mtimeMs) return false;
    source = readFileSync(BUNDLE, 'latin1'); // ASCII (scripts/bundleLaunch.ts): read without decoding UTF-8
    // The cache is only for this very bundle, this Node and these V8 flags (V8 checks the last
    // two itself, and of the source only its length).
    stamp = createHash('sha256').update(`${bundle.size} ${bundle.mtimeMs} ${bundle.ino} ${process.version} ${process.arch} ${process.execArgv.join(' ')} ${process.env.MCPROXY_V8_FLAGS}`).digest('hex').slice(0, 16);
  } catch {
    return false;
  }
  const places = [path.dirname(BUNDLE), path.join(dataDir(), 'code-cache')];
  const cached = readCache(places, stamp);
  // The bundle has no import() (scripts/bundleLaunch.ts): none would work from the cache.
  const script = new vm.Script(Module.wrap(source), { filename: BUNDLE, cachedData: cached });
  // At exit the cache holds every function this run compiled, not just the start's.
  if (!cached || script.cachedDataRejected) process.once('exit', () => keepCache(places, stamp, script));
  const module = { exports: {} };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(BUNDLE), module, BUNDLE, path.dirname(BUNDLE));
  return true;
}

const cacheName = (stamp: string) => `commands.${stamp}.cache`;

/** The cache beside the bundle (shared by every data folder), else in the data folder (a bundle in a folder this user cannot write). */
function readCache(places: string[], stamp: string): Buffer | undefined {
  for (const place of places) {
    try {
      return readFileSync(path.join(place, cacheName(stamp)));
    } catch {
      // not there: the next place, or no cache this time
    }
  }
  return undefined;
}

/**
 * Writes the cache (whole, by a rename: another proxy may be reading it) to the first place that
 * takes it. The build empties the bundle's folder; the data folder keeps only the latest bundle's.
 */
function keepCache(places: string[], stamp: string, script: vm.Script): void {
  const data = script.createCachedData();
  for (const [index, place] of places.entries()) {
    try {
      mkdirSync(place, { recursive: true });
      const file = path.join(place, cacheName(stamp));
      writeFileSync(`${file}.${process.pid}`, data);
      renameSync(`${file}.${process.pid}`, file);
      if (index > 0) for (const name of readdirSync(place)) if (name !== cacheName(stamp)) rmSync(path.join(place, name), { force: true });
      return;
    } catch {
      // not writable here: the next place
    }
  }
}
