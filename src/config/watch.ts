// Watches the config file for edits. Editors save in several ways (write in place, or write a
// new file and rename it over the old one), so the folder is watched and events are filtered
// by name; a burst of events (one save can make several) becomes one call after `debounceMs`.
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { log } from '../log.js';

export function watchConfigFile(file: string, onChange: () => void, debounceMs = 300): () => void {
  const name = path.basename(file);
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher;
  try {
    watcher = watch(path.dirname(file), (_event, changed) => {
      if (changed !== null && changed !== name) return;
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
    });
  } catch (error) {
    log.warn(`cannot watch ${file} for changes (${(error as Error).message}): reload with SIGHUP or \`mcproxy reload\``);
    return () => {};
  }
  watcher.on('error', (error) => log.warn(`stopped watching ${file}: ${error.message}`));
  watcher.unref();
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
