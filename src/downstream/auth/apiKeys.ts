// API keys: the configured keys, matched in constant time, each to an identity that never
// contains the key.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthConfig } from '../../config/authSchema.js';
import type { Identity } from './identity.js';

interface StoredKey {
  digest: Buffer;
  identity: Identity;
}

export type ApiKeyMatcher = (presented: string) => Identity | undefined;

export function apiKeyMatcher(keys: NonNullable<AuthConfig['apiKeys']>): ApiKeyMatcher {
  const stored: StoredKey[] = keys.map((entry, index) => {
    const { key, profiles } = typeof entry === 'string' ? { key: entry, profiles: undefined } : entry;
    return { digest: digest(key), identity: { subject: `apiKey#${index + 1}`, ...(profiles && { profiles }) } };
  });
  return (presented) => {
    // Equal-length digests, and every key compared: the time taken says nothing about any key.
    const candidate = digest(presented);
    let found: Identity | undefined;
    for (const key of stored) {
      if (timingSafeEqual(key.digest, candidate) && !found) found = key.identity;
    }
    return found;
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
