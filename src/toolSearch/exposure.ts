// Dynamic exposure: the tools a session's searches found, added to its own tools/list, the
// least recently found or called dropped first once there are too many.

/** How many found tools a session's list keeps, per result a search can return. */
export const EXPOSED_PER_RESULT = 4;

/**
 * Whether a protocol version lets a session's tools/list differ from other sessions'. The
 * 2026-07-28 era forbids lists that vary per connection: search mode is the meta-tools alone
 * there. (Dates compare as strings.)
 */
export function perConnectionLists(protocolVersion: string | undefined): boolean {
  return protocolVersion === undefined || protocolVersion < '2026-07-28';
}

/** Most recently used last. Returns whether the set of names changed. */
export function touch(exposed: string[], names: readonly string[], bound: number): boolean {
  const before = new Set(exposed);
  for (const name of names) {
    const at = exposed.indexOf(name);
    if (at >= 0) exposed.splice(at, 1);
    exposed.push(name);
  }
  if (exposed.length > bound) exposed.splice(0, exposed.length - bound);
  return exposed.length !== before.size || exposed.some((name) => !before.has(name));
}
