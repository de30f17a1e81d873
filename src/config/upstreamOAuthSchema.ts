// Remote upstream keys for OAuth to the upstream (src/upstream/oauth): how mcproxy logs in to a
// server that needs it, and whose login a team gateway uses. Spread into remote upstreams.
import { z } from 'zod';
import { isSecureOrLoopbackUrl } from './authSchema.js';

const PORT_NUMBER = 'expected a port number (0-65535)';

const secureUrl = () =>
  z.string().refine(isSecureOrLoopbackUrl, { error: 'expected an https:// URL (http:// only on a loopback address)' });

export const UpstreamOAuthSchema = z.strictObject({
  /** A client registered with the authorization server beforehand; else CIMD or dynamic registration. */
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  /** A Client ID Metadata Document URL (https), used as the client id where the server accepts one. */
  clientMetadataUrl: z.string().min(1).optional(),
  /** Scopes to ask for; else the server's `WWW-Authenticate` scope, then its `scopes_supported`. */
  scopes: z.array(z.string().min(1)).optional(),
  /**
   * `authorization_code`: a person logs in in a browser; `client_credentials`: machine to machine;
   * `jwt_bearer`: enterprise-managed authorization (an ID-JAG from `idp`, RFC 7523).
   */
  grant: z.enum(['authorization_code', 'client_credentials', 'jwt_bearer']).default('authorization_code'),
  /**
   * Enterprise-managed authorization (SEP-990): the organisation's identity provider exchanges
   * the user's ID token (RFC 8693) for an identity assertion grant (ID-JAG) that the upstream's
   * authorization server takes as a JWT bearer grant (RFC 7523), with `clientId`/`clientSecret`.
   */
  idp: z
    .strictObject({
      /** The identity provider's token endpoint. */
      tokenEndpoint: secureUrl(),
      /** This client at the identity provider. */
      clientId: z.string().min(1),
      clientSecret: z.string().min(1).optional(),
      /** The user's OpenID Connect ID token from the identity provider (write `${VAR}`). */
      idToken: z.string().min(1),
    })
    .optional(),
  /** A PEM private key (PKCS#8): client_credentials with private_key_jwt instead of a secret. */
  privateKey: z.string().min(1).optional(),
  /** The loopback port the login's redirect comes back to; 0: any free one. */
  redirectPort: z.number({ error: PORT_NUMBER }).int({ error: PORT_NUMBER }).min(0, { error: PORT_NUMBER }).max(65535, { error: PORT_NUMBER }).default(0),
}).superRefine((oauth, context) => {
  if (oauth.grant === 'jwt_bearer' && !oauth.idp) context.addIssue({ code: 'custom', path: ['idp'], message: 'grant: jwt_bearer needs idp (tokenEndpoint, clientId, idToken)' });
  if (oauth.grant === 'jwt_bearer' && !oauth.clientId) context.addIssue({ code: 'custom', path: ['clientId'], message: 'grant: jwt_bearer needs the clientId registered with the upstream\'s authorization server' });
  if (oauth.idp && oauth.grant !== 'jwt_bearer') context.addIssue({ code: 'custom', path: ['grant'], message: 'idp is used by grant: jwt_bearer only' });
});

/** Whether tokens for this upstream come from a person's browser login (else from a machine grant). */
export function needsPerson(oauth: UpstreamOAuthConfig): boolean {
  return oauth.grant === 'authorization_code';
}

export const TokenExchangeSchema = z.strictObject({
  /** Where a person's incoming token is exchanged for one for this upstream (RFC 8693). */
  tokenEndpoint: secureUrl(),
  /** The `audience` asked for; default: the upstream's URL. */
  audience: z.string().min(1).optional(),
});

export const upstreamOAuthKeys = {
  oauth: UpstreamOAuthSchema.optional(),
  /** Team gateway: one login for everyone (`shared`), or each person's own (`perUser`). */
  credentials: z.enum(['shared', 'perUser']).default('shared'),
  tokenExchange: TokenExchangeSchema.optional(),
};

export type UpstreamOAuthConfig = z.infer<typeof UpstreamOAuthSchema>;
export type TokenExchangeConfig = z.infer<typeof TokenExchangeSchema>;

/** `server.*` keys of the connect page, where each person logs in to a `credentials: perUser` upstream. */
export const connectPageKeys = {
  /** The URL people's browsers reach this listener at (behind a reverse proxy, a tunnel, a wildcard bind); default: the listener's own. */
  publicUrl: z
    .string()
    .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), { error: 'expected an http:// or https:// URL' })
    .optional(),
  /** Signs the connect page's links (write `${VAR}`); default: a random key per process, so links die with it. */
  connectKey: z.string().min(16, { error: 'expected at least 16 characters' }).optional(),
};
