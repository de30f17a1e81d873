// How upstream names become the names a client sees: namespaced, made valid for every client
// (Claude, Cursor and OpenAI reject anything but ^[a-zA-Z0-9_-]{1,64}$), and unique.
import { createHash } from 'node:crypto';

/** What any exposed tool or prompt name must match (with the length from `naming.maxLength`). */
export const VALID_NAME_CHARS = /^[a-zA-Z0-9_-]+$/;

/** `<namespace><separator><name>`, or the bare name when the namespace is empty. */
export function exposedName(namespace: string, separator: string, name: string): string {
  return namespace === '' ? name : `${namespace}${separator}${name}`;
}

/** 8 hex digits of SHA-256: the same input gives the same suffix on every machine and run. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

export function isValidName(name: string, maxLength: number): boolean {
  return name.length >= 1 && name.length <= maxLength && VALID_NAME_CHARS.test(name);
}

/**
 * A valid name for `wanted`: other characters become `_`; a name still too long keeps its head
 * and its tail (where the tool's own name is) around a hash of the whole name, so it stays
 * readable, unique and stable. Valid names come back unchanged.
 */
export function validName(wanted: string, maxLength: number): string {
  const replaced = wanted.replace(/[^a-zA-Z0-9_-]/g, '_') || '_';
  if (replaced.length <= maxLength) return replaced;
  const hash = shortHash(wanted);
  const kept = maxLength - hash.length - 2; // two `_` around the hash
  const tail = Math.floor((kept * 2) / 3);
  return `${replaced.slice(0, kept - tail)}_${hash}_${replaced.slice(replaced.length - tail)}`;
}

/**
 * A name no earlier entry took. A collision (two upstreams without a namespace offering the
 * same tool, say) keeps the first owner's name and qualifies the later one with its upstream's
 * key; should that be taken too, a numeric suffix settles it. Every candidate is made valid.
 */
export function uniqueName(wanted: string, upstream: string, separator: string, maxLength: number, taken: { has(name: string): boolean }): string {
  if (!taken.has(wanted)) return wanted;
  const qualified = validName(`${upstream}${separator}${wanted}`, maxLength);
  if (!taken.has(qualified)) return qualified;
  for (let n = 2; ; n++) {
    const numbered = validName(`${upstream}${separator}${wanted}_${n}`, maxLength);
    if (!taken.has(numbered)) return numbered;
  }
}
