// How upstream names become the names a client sees.

/** `<namespace><separator><name>`, or the bare name when the namespace is empty. */
export function exposedName(namespace: string, separator: string, name: string): string {
  return namespace === '' ? name : `${namespace}${separator}${name}`;
}

/**
 * A name no earlier entry took. A collision (two upstreams without a namespace offering the
 * same tool, say) keeps the first owner's name and qualifies the later one with its upstream's
 * key; should that be taken too, a numeric suffix settles it.
 */
export function uniqueName(wanted: string, upstream: string, separator: string, taken: { has(name: string): boolean }): string {
  if (!taken.has(wanted)) return wanted;
  const qualified = `${upstream}${separator}${wanted}`;
  if (!taken.has(qualified)) return qualified;
  for (let n = 2; ; n++) {
    const numbered = `${qualified}_${n}`;
    if (!taken.has(numbered)) return numbered;
  }
}
