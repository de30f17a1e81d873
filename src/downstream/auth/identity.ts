// Who a request comes from, as the auth filters establish it, and what that entitles it to.
// Pure, so the profile rules are unit-tested without a socket.

export interface Identity {
  /** Stable and safe to log: `apiKey#2`, or a token's `sub`. Never the key or token itself. */
  subject: string;
  /** The profiles it may use; undefined means any. */
  profiles?: string[];
  /** A token's scopes. */
  scopes?: string[];
}

/** Whether `identity` may use the profile named `profile` (undefined: the default, unprofiled endpoint). */
export function mayUseProfile(identity: Identity | undefined, profile: string | undefined): boolean {
  if (!identity?.profiles) return true; // no auth, or unrestricted
  return profile !== undefined && identity.profiles.includes(profile);
}

/**
 * The profile a session opened at a path gets. `<path>/<name>` asks for `name`, which the
 * identity must be entitled to. The plain path serves `defaultProfile` (or the full view); an
 * identity bound to profiles gets the default one if it is among them, else its first: that is
 * how a key or a token's claim chooses the profile of a client that only knows the plain URL.
 */
export function profileFor(
  identity: Identity | undefined,
  requested: string | undefined,
  defaultProfile: string | undefined,
  known: readonly string[],
): { profile?: string } | { refused: string } {
  if (requested !== undefined) {
    return mayUseProfile(identity, requested) ? { profile: requested } : { refused: `Forbidden: ${identity?.subject} may not use profile '${requested}'` };
  }
  if (!identity?.profiles) return { profile: defaultProfile };
  // A token's claim may name profiles this proxy does not have: those entitle to nothing.
  const allowed = identity.profiles.filter((profile) => known.includes(profile));
  if (defaultProfile !== undefined && allowed.includes(defaultProfile)) return { profile: defaultProfile };
  if (allowed.length > 0) return { profile: allowed[0] };
  return { refused: `Forbidden: ${identity.subject} may use no profile of this proxy` };
}

/**
 * The profiles a token's claim names: a string (one profile, or several separated by spaces or
 * commas) or a list of strings. Undefined when the claim is absent (the token is unrestricted);
 * an empty list when it is present but names nothing usable (the token may use no profile).
 */
export function profilesFromClaim(claims: Record<string, unknown>, claim: string | undefined): string[] | undefined {
  if (claim === undefined || !(claim in claims)) return undefined;
  const value = claims[claim];
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string' && item !== '');
  return [];
}
