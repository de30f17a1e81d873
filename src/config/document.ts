// Small helpers for reading the plain data parsed from a config file (before validation, so
// nothing about its shape can be assumed).
import type { ConfigPath } from './problems.js';

export type PlainMap = Record<string, unknown>;

export function isPlainMap(value: unknown): value is PlainMap {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The value at `path`, or undefined when any step is missing or not a container. */
export function valueAt(data: unknown, path: ConfigPath): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** A path as a Map/Set key. */
export function pathKey(path: ConfigPath): string {
  return JSON.stringify(path);
}
