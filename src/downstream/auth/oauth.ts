// OAuth 2.1 access tokens, as the MCP authorization spec asks of a protected resource: a JWT
// signed by a key from the issuer's JWKS, with the right `iss` and `aud`, in its validity
// window (small clock skew allowed), carrying the required scopes. jose does the JOSE work.
import type { JWTPayload, JWTVerifyGetKey } from 'jose';

/** jose, imported with the first token to check (a proxy without server.auth never loads it). */
const jose = () => import('jose');
type JoseErrors = Awaited<ReturnType<typeof jose>>['errors'];
import { isSecureOrLoopbackUrl, type OAuthConfig } from '../../config/authSchema.js';
import { log } from '../../log.js';
import { profilesFromClaim, type Identity } from './identity.js';

/** Clock skew tolerated on exp/nbf/iat. */
const CLOCK_SKEW_SECONDS = 30;
/** Asymmetric algorithms only: a JWKS publishes public keys, and `none` is never accepted. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export type TokenCheck =
  | { ok: true; identity: Identity }
  /** 401 invalid_token, 403 insufficient_scope, 503 when the keys cannot be fetched. */
  | { ok: false; status: 401 | 403 | 503; error: 'invalid_token' | 'insufficient_scope' | 'temporarily_unavailable'; description: string };

export type TokenVerifier = (token: string, audience: string) => Promise<TokenCheck>;

export function oauthVerifier(config: OAuthConfig): TokenVerifier {
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const keySet = () =>
    (keys ??= jwksUrlOf(config).then(
      async (url) => (await jose()).createRemoteJWKSet(new URL(url)),
      (error: unknown) => {
        keys = undefined; // discovery is retried with the next token
        throw error;
      },
    ));

  return async (token, defaultAudience) => {
    const { jwtVerify, errors } = await jose();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await keySet(), {
        issuer: config.issuer,
        audience: config.audience ?? defaultAudience,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      if (isKeyFetchFailure(error, errors)) {
        log.warn(`cannot fetch the issuer's signing keys: ${(error as Error).message}`);
        return { ok: false, status: 503, error: 'temporarily_unavailable', description: "the issuer's signing keys cannot be fetched" };
      }
      return { ok: false, status: 401, error: 'invalid_token', description: describeRejection(error, errors) };
    }
    const scopes = scopesOf(payload);
    const missing = config.requiredScopes.filter((scope) => !scopes.includes(scope));
    if (missing.length > 0) {
      return { ok: false, status: 403, error: 'insufficient_scope', description: `missing scope: ${missing.join(' ')}` };
    }
    const profiles = profilesFromClaim(payload, config.profileClaim);
    const subject = `token:${payload.sub ?? (payload.client_id as string | undefined) ?? 'unknown'}`;
    return { ok: true, identity: { subject, scopes, ...(profiles && { profiles }) } };
  };
}

/** `scope` (space-separated, RFC 9068) or `scp` (a list, as some issuers send). */
function scopesOf(payload: JWTPayload): string[] {
  if (typeof payload.scope === 'string') return payload.scope.split(' ').filter(Boolean);
  if (Array.isArray(payload.scp)) return payload.scp.filter((s): s is string => typeof s === 'string');
  return [];
}

/** What was wrong with a token, in words safe to send back (they never quote the token). */
function describeRejection(error: unknown, errors: JoseErrors): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `the token's "${error.claim}" claim is not accepted (${error.reason})`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is invalid';
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return 'the token algorithm is not accepted';
  if (error instanceof errors.JWKSNoMatchingKey) return "no key of the issuer's JWKS matches the token";
  return 'the token is malformed';
}

function isKeyFetchFailure(error: unknown, errors: JoseErrors): boolean {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  if (error instanceof errors.JOSEError) return false;
  return error instanceof Error; // discovery or fetch failed
}

/** The JWKS URL: configured, else `jwks_uri` from the issuer's RFC 8414 (or OpenID) metadata. */
async function jwksUrlOf(config: OAuthConfig): Promise<string> {
  if (config.jwksUrl) return config.jwksUrl;
  const issuer = new URL(config.issuer);
  const suffix = issuer.pathname === '/' ? '' : issuer.pathname.replace(/\/$/, '');
  const candidates = [
    `${issuer.origin}/.well-known/oauth-authorization-server${suffix}`,
    `${issuer.origin}${suffix}/.well-known/openid-configuration`,
  ];
  for (const candidate of candidates) {
    const response = await fetch(candidate, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
    if (!response?.ok) continue;
    const metadata = (await response.json().catch(() => ({}))) as { jwks_uri?: unknown; issuer?: unknown };
    if (typeof metadata.jwks_uri !== 'string') continue;
    if (!isSecureOrLoopbackUrl(metadata.jwks_uri)) throw new Error(`the issuer's jwks_uri is not https: ${metadata.jwks_uri}`);
    return metadata.jwks_uri;
  }
  throw new Error(`no jwks_uri in the metadata of issuer ${config.issuer}`);
}
