// Search mode's modules (the index, the ranking, the stemmer and thesaurus) load only when a
// config turns tool search on, for the whole view or a profile; a reload that turns it on loads
// them before any session sees the new config (proxy.ts).
import type { ProxyConfig } from '../config/schema.js';
import { toolSearchSettings } from '../toolSearch/settings.js';
import type { SearchMode } from './searchMode.js';

let loaded: typeof SearchMode | undefined;

/** Loads search mode if a view of `config` uses it. */
export async function loadSearchModeFor(config: Pick<ProxyConfig, 'toolSearch' | 'profiles'>): Promise<void> {
  const views = [undefined, ...Object.keys(config.profiles)];
  if (loaded || !views.some((profile) => toolSearchSettings(config, profile).enabled)) return;
  loaded = (await import('./searchMode.js')).SearchMode;
}

/** Search mode, which loadSearchModeFor() loaded for the config that enables it. */
export function searchModeClass(): typeof SearchMode {
  if (!loaded) throw new Error('tool search is on but its modules were not loaded (loadSearchModeFor)');
  return loaded;
}
