// The config as the CLI's commands load it, with every problem printed, and the view `--profile`
// names. The loader (yaml, zod, the schema) is imported on first use, not when mcproxy starts;
// `run` skips it when the file is as a launch before validated it (config/validatedCache.ts).
import type { View } from '../catalog/view.js';
import type { LoadOptions } from '../config/load.js';
import type { ProxyConfig } from '../config/schema.js';
import type { ConfigLocation } from '../config/locate.js';

type Modules = [typeof import('../config/load.js'), typeof import('../config/locate.js'), typeof import('../catalog/view.js')];
let modules: Modules | undefined;

/** Imports the loader; after this, loadSync works. */
export async function configModules(): Promise<Modules> {
  modules ??= await Promise.all([import('../config/load.js'), import('../config/locate.js'), import('../catalog/view.js')]);
  return modules;
}

/** The config, or undefined after printing every problem in it (and, for a missing file, where mcproxy looks). */
export async function load(option: string | undefined, options?: LoadOptions): Promise<ProxyConfig | undefined> {
  await configModules();
  return loadSync(option, options);
}

/** load(), once configModules() has resolved. */
export function loadSync(option: string | undefined, options: LoadOptions = { unsetInUpstream: 'disable' }): ProxyConfig | undefined {
  if (!modules) throw new Error('configModules() first');
  const [{ loadConfig }, { locateConfig }] = modules;
  const location = locateConfig(option);
  return printingProblems(location, () => loadConfig(location.file, process.env, options));
}

/**
 * `run`'s load: the config a launch before validated, when the file holds the same text (and
 * nothing else it depends on changed); else load(), and the result kept for the next launch.
 */
export async function loadForRun(option: string | undefined): Promise<ProxyConfig | undefined> {
  const [{ locateConfig }, { cachedConfig, keepConfig }, { log }] = await Promise.all([import('../config/locate.js'), import('../config/validatedCache.js'), import('../log.js')]);
  const location = locateConfig(option);
  const cached = cachedConfig(location.file);
  if (cached) {
    for (const note of cached.notes) log.info(note);
    return cached.config;
  }
  const [{ loadConfigWithNotes, logLoaded }] = await configModules();
  return printingProblems(location, () => {
    const { config, inputs, noteLines } = logLoaded(loadConfigWithNotes(location.file, process.env, { unsetInUpstream: 'disable' }));
    keepConfig(inputs, config, noteLines);
    return config;
  });
}

/** The loaded config, or undefined after printing every problem in it (and, for a missing file, where mcproxy looks). */
function printingProblems(location: ConfigLocation, loadIt: () => ProxyConfig): ProxyConfig | undefined {
  const [{ ConfigError, formatProblems }, { searchOrder }] = modules!;
  try {
    return loadIt();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(formatProblems(error.problems) + '\n');
    if (error.problems.some((problem) => problem.message.startsWith('file not found'))) {
      process.stderr.write(`mcproxy looks for its config in this order (this one came from ${location.source}):\n${searchOrder()}\n`);
    }
    return undefined;
  }
}

/** The view `--profile` names (or the default one), or undefined after saying there is no such profile. */
export async function chosenView(config: ProxyConfig, profile: string | undefined): Promise<View | undefined> {
  const { UnknownProfileError, viewOf } = await import('../catalog/view.js');
  try {
    return viewOf(config, profile);
  } catch (error) {
    if (!(error instanceof UnknownProfileError)) throw error;
    process.stderr.write(`mcproxy: --profile: ${error.message}\n`);
    return undefined;
  }
}
