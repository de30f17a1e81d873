// server.auth and server.limits: who may use the HTTP listener, and how much of it.
import { z } from 'zod';
import { positiveInteger } from './numbers.js';
import { isLoopback } from '../downstream/hostPolicy.js';


/** An https URL, or an http one on a loopback address (local development, tests). */
export function isSecureOrLoopbackUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname));
  } catch {
    return false;
  }
}

const secureUrl = () =>
  z.string().refine(isSecureOrLoopbackUrl, { error: 'expected an https:// URL (http:// only on a loopback address)' });

/** An API key: a string (usually `${VAR}`), or one bound to the profiles it may use. */
const ApiKeySchema = z.union(
  [z.string().min(1), z.strictObject({ key: z.string().min(1), profiles: z.array(z.string().min(1)).min(1) })],
  { error: 'expected a key (string) or `{ key, profiles }`' },
);

export const OAuthSchema = z.strictObject({
  /** The authorization server whose tokens are accepted (the `iss` claim). */
  issuer: secureUrl(),
  /** The `aud` a token must carry; default: this endpoint's URL. */
  audience: z.string().min(1).optional(),
  /** Where the issuer's signing keys are; default: `jwks_uri` from its metadata. */
  jwksUrl: secureUrl().optional(),
  /** Scopes a token must all carry (403 insufficient_scope otherwise). */
  requiredScopes: z.array(z.string().min(1)).default([]),
  /** The claim whose value (a string or a list) names the profiles the token may use. */
  profileClaim: z.string().min(1).optional(),
});

export const AuthSchema = z.strictObject({
  apiKeys: z.array(ApiKeySchema).optional(),
  /** The request header the key or token is read from (`Bearer <value>`). */
  header: z.string().min(1).default('authorization'),
  oauth: OAuthSchema.optional(),
  /** Needed to listen on a non-loopback address with neither apiKeys nor oauth. */
  allowAnonymous: z.boolean().default(false),
});

export const LimitsSchema = z.strictObject({
  maxBodyBytes: positiveInteger().default(4 * 1024 * 1024),
  maxDepth: positiveInteger().default(64),
  maxSessions: positiveInteger().default(1000),
  maxInFlight: positiveInteger().default(256),
  maxInFlightPerSession: positiveInteger().default(32),
  rateLimit: z
    .strictObject({
      perSecond: z.number({ error: 'expected a positive number' }).positive({ error: 'expected a positive number' }),
      burst: positiveInteger().optional(),
    })
    .optional(),
});

export type AuthConfig = z.infer<typeof AuthSchema>;
export type OAuthConfig = z.infer<typeof OAuthSchema>;
export type LimitsConfig = z.infer<typeof LimitsSchema>;
