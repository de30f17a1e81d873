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
