// The only place mcproxy's upstream OAuth touches the MCP SDK's client auth (`auth()`, its
// discovery, registration, PKCE and token requests). What the SDK lacks is added around it
// here: refusing an authorization server without PKCE S256 or whose metadata names another
// issuer (RFC 8414 §3.3), the `iss` check of the authorization response (RFC 9207, in
// login.ts with what `expectedIssuer` returns), the configured client (pre-registered,
// CIMD, client_credentials with a secret or private_key_jwt), and a store on disk.
import {
  auth,
  createPrivateKeyJwtAuth,
  requestJwtAuthorizationGrant,
  extractWWWAuthenticateParams,
  type OAuthClientInformationMixed,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type OAuthTokens,
} from '@modelcontextprotocol/client';
import { createPrivateKey } from 'node:crypto';
import { needsPerson, type UpstreamOAuthConfig } from '../../config/upstreamOAuthSchema.js';
import { NeedsLoginError } from './needsLogin.js';
import type { TokenStore } from './tokenStore.js';

/** One upstream's OAuth as configured, with its store (the shared login, or one person's). */
export interface OAuthTarget {
  upstream: string;
  url: string;
  oauth: UpstreamOAuthConfig;
  store: TokenStore;
}

/** What a 401 or 403 said in WWW-Authenticate. */
export interface Challenge {
  resourceMetadataUrl?: URL;
  scope?: string;
  error?: string;
}

export function challengeOf(response: Response): Challenge {
  return extractWWWAuthenticateParams(response);
}

/** OAuth requests are bounded: a silent authorization server is an error, never a hang. */
const OAUTH_REQUEST_TIMEOUT_MS = 30_000;
const boundedFetch = (url: string | URL, init?: RequestInit) => fetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(OAUTH_REQUEST_TIMEOUT_MS) });

class StoreProvider implements OAuthClientProvider {
  authorizationUrl?: URL;
  discovery?: OAuthDiscoveryState;
  private verifier?: string;
  addClientAuthentication?: OAuthClientProvider['addClientAuthentication'];

  constructor(
    private readonly target: OAuthTarget,
    private readonly flow: { redirectUrl?: string; state?: string; scope?: string; fresh?: boolean },
  ) {
    const { oauth } = target;
    if (oauth.privateKey) {
      const clientId = oauth.clientId ?? '';
      this.addClientAuthentication = createPrivateKeyJwtAuth({ issuer: clientId, subject: clientId, privateKey: oauth.privateKey, alg: signingAlgorithm(oauth.privateKey) });
    }
  }

  get redirectUrl(): string | undefined {
    return needsPerson(this.target.oauth) ? this.flow.redirectUrl : undefined;
  }

  get clientMetadataUrl(): string | undefined {
    return this.target.oauth.clientMetadataUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'mcproxy',
      redirect_uris: this.flow.redirectUrl ? [this.flow.redirectUrl] : [],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      // A command-line program on the user's machine (SEP-837).
      application_type: 'native',
      ...(this.flow.scope && { scope: this.flow.scope }),
    } as OAuthClientMetadata;
  }

  state(): string {
    return this.flow.state ?? '';
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    const { clientId, clientSecret } = this.target.oauth;
    if (clientId) return { client_id: clientId, ...(clientSecret && { client_secret: clientSecret }) };
    return this.target.store.read()?.client as OAuthClientInformationMixed | undefined;
  }

  saveClientInformation(client: OAuthClientInformationMixed): void {
    // A configured client is the config's to keep, not the store's.
    if (this.target.oauth.clientId) return;
    this.target.store.patch({ client: client as Record<string, unknown> });
  }

  tokens(): OAuthTokens | undefined {
    // A login asked for by a person starts afresh: the old tokens are what failed.
    if (this.flow.fresh) return undefined;
    const tokens = this.target.store.read()?.tokens;
    if (!tokens) return undefined;
    const { expires_at: _expiresAt, ...wire } = tokens;
    return { token_type: 'Bearer', ...wire } as OAuthTokens;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.target.store.update((login) => ({
      ...login,
      // A refresh that returns no new refresh token keeps the old one (RFC 6749 §6).
      tokens: {
        ...tokens,
        refresh_token: tokens.refresh_token ?? login.tokens?.refresh_token,
        expires_at: tokens.expires_in === undefined ? undefined : Date.now() + tokens.expires_in * 1000,
      },
      account: accountOf(tokens) ?? login.account,
      problem: undefined,
      stepUpScope: undefined,
    }));
  }

  redirectToAuthorization(authorizationUrl: URL): void {
    this.authorizationUrl = authorizationUrl;
    // Without a browser at hand (a running proxy renewing), a new authorization is a login to ask for.
    if (!this.flow.state) throw new NeedsLoginError(this.target.upstream, this.target.store.read()?.problem);
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error('no PKCE code verifier: the login was not started by this process');
    return this.verifier;
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    if (scope === 'verifier') this.verifier = undefined;
    if (scope === 'discovery') this.discovery = undefined;
    if (scope === 'all' || scope === 'tokens') this.target.store.update((login) => ({ ...login, tokens: undefined, problem: login.problem ?? 'the authorization server no longer accepts its tokens: revoked or expired' }));
    if (scope === 'all' || scope === 'client') this.target.store.patch({ client: undefined });
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    checkAuthorizationServer(this.target, state);
    this.discovery = state;
    this.target.store.patch({ discovery: { issuer: state.authorizationServerMetadata?.issuer ?? state.authorizationServerUrl } });
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }

  async prepareTokenRequest(scope?: string): Promise<URLSearchParams | undefined> {
    const { grant } = this.target.oauth;
    if (grant === 'authorization_code') return undefined;
    const wanted = this.flow.scope ?? scope;
    const params =
      grant === 'client_credentials'
        ? new URLSearchParams({ grant_type: 'client_credentials' })
        : new URLSearchParams({ grant_type: JWT_BEARER, assertion: await identityAssertion(this.target, this.discovery, wanted) });
    if (wanted) params.set('scope', wanted);
    return params;
  }
}

/**
 * Refuses an authorization server the spec says a client must not use: metadata naming another
 * issuer than the one it was fetched for, or (for a browser login) no PKCE S256.
 */
function checkAuthorizationServer(target: OAuthTarget, state: OAuthDiscoveryState): void {
  const metadata = state.authorizationServerMetadata;
  if (!metadata) return; // a pre-2025 server without metadata: the default endpoints, as the spec's fallback says
  if (!sameIssuer(metadata.issuer, state.authorizationServerUrl)) {
    throw new Error(
      `upstream '${target.upstream}': the authorization server metadata fetched for ${state.authorizationServerUrl} names the issuer ${metadata.issuer}: refused (RFC 8414 §3.3)`,
    );
  }
  if (target.oauth.grant === 'authorization_code' && !metadata.code_challenge_methods_supported?.includes('S256')) {
    throw new Error(
      `upstream '${target.upstream}': its authorization server ${metadata.issuer} does not advertise PKCE S256 (code_challenge_methods_supported): refused, as the MCP authorization spec requires`,
    );
  }
}

/** Issuer identifiers compare as strings; only a trailing "/" that URL parsing adds is forgiven. */
function sameIssuer(a: string, b: string): boolean {
  const trim = (s: string) => s.replace(/\/$/, '');
  return trim(a) === trim(b);
}

export interface AuthorizeOptions {
  /** From the 401 or 403 that asked for it: the spec's first source of metadata and scope. */
  challenge?: Challenge;
  /** Asked for on top of what the tokens have (step-up). */
  scope?: string;
}

/** The scope to ask for: configured, else challenged (with what was granted before), else the server's. */
function scopeFor(target: OAuthTarget, options: AuthorizeOptions): string | undefined {
  if (target.oauth.scopes?.length) return scopeUnion(target.oauth.scopes.join(' '), options.scope);
  const challenged = options.scope ?? options.challenge?.scope;
  if (!challenged) return undefined;
  return scopeUnion(target.store.read()?.tokens?.scope, challenged);
}

/** Scopes together, each once, in the order first named. */
export function scopeUnion(...scopes: Array<string | undefined>): string {
  return [...new Set(scopes.flatMap((scope) => scope?.split(' ') ?? []).filter(Boolean))].join(' ');
}

/**
 * Gets tokens without a person: a refresh, or client credentials. Throws NeedsLoginError when
 * only a browser login would do.
 */
export async function renewSilently(target: OAuthTarget, options: AuthorizeOptions = {}): Promise<void> {
  const login = target.store.read();
  if (needsPerson(target.oauth) && !login?.tokens?.refresh_token) {
    throw new NeedsLoginError(target.upstream, login?.problem);
  }
  const redirectUrl = (login?.client?.redirect_uris as string[] | undefined)?.[0] ?? 'http://127.0.0.1/callback';
  const scope = scopeFor(target, options);
  const provider = new StoreProvider(target, { redirectUrl, scope });
  try {
    await auth(provider, { serverUrl: target.url, resourceMetadataUrl: options.challenge?.resourceMetadataUrl, scope, fetchFn: boundedFetch });
  } catch (error) {
    if (error instanceof NeedsLoginError) throw error;
    const reason = `renewing its token failed: ${(error as Error).message}`;
    target.store.patch({ problem: reason });
    throw needsPerson(target.oauth) ? new NeedsLoginError(target.upstream, reason) : new Error(`upstream '${target.upstream}': ${reason}`);
  }
}

export interface StartedLogin {
  authorizationUrl: URL;
  /** The issuer the authorization response's `iss` must equal, and whether it must be there (RFC 9207). */
  issuer?: string;
  issRequired: boolean;
  /** Exchanges the code from the redirect for tokens, and stores them; `iss` as the redirect gave it (the SDK checks it too). */
  finish(code: string, iss?: string): Promise<void>;
}

/**
 * Starts a browser login: discovery, registration (configured client, CIMD, or dynamic), PKCE.
 * Resolves with the URL to open, or undefined when no browser is needed after all (a refresh
 * token still worked). `state` must be unguessable; the caller checks it on the redirect.
 */
export async function startLogin(
  target: OAuthTarget,
  flow: { redirectUrl: string; state: string },
  options: AuthorizeOptions = {},
): Promise<StartedLogin> {
  const scope = scopeFor(target, options);
  const provider = new StoreProvider(target, { ...flow, scope, fresh: true });
  const resourceMetadataUrl = options.challenge?.resourceMetadataUrl;
  // Under the store's lock, as every write a proxy makes to it (upstreamAuth.ts renew): a proxy
  // renewing at the same moment neither loses this login's client and tokens nor has its own lost.
  const result = await target.store.locked(() => {
    // A client registered for another redirect URL (another free port) cannot receive this one.
    const registered = target.store.read()?.client?.redirect_uris as string[] | undefined;
    if (!target.oauth.clientId && registered && !registered.includes(flow.redirectUrl) && !target.oauth.clientMetadataUrl) provider.invalidateCredentials('client');
    return auth(provider, { serverUrl: target.url, resourceMetadataUrl, scope, fetchFn: boundedFetch });
  });
  if (result !== 'REDIRECT' || !provider.authorizationUrl) throw new Error(`upstream '${target.upstream}': the authorization server gave no authorization URL`);
  const metadata = provider.discovery?.authorizationServerMetadata as { issuer?: string; authorization_response_iss_parameter_supported?: boolean } | undefined;
  return {
    authorizationUrl: provider.authorizationUrl,
    issuer: metadata?.issuer,
    issRequired: metadata?.authorization_response_iss_parameter_supported === true,
    async finish(code: string, iss?: string) {
      const done = await target.store.locked(() => auth(provider, { serverUrl: target.url, resourceMetadataUrl, scope, authorizationCode: code, iss, fetchFn: boundedFetch }));
      if (done !== 'AUTHORIZED') throw new Error(`upstream '${target.upstream}': the token request did not authorize`);
    },
  };
}

/** A JWT's claims, unverified (only shown to the user who holds the token); throws for an opaque token. */
function claimsOf(token: string): Record<string, unknown> {
  const [, payload] = token.split('.');
  const claims: unknown = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'));
  if (typeof claims !== 'object' || claims === null) throw new Error('not a JWT');
  return claims as Record<string, unknown>;
}

/** Who a token says it belongs to, for `mcproxy auth status`; never the token itself. */
function accountOf(tokens: OAuthTokens): string | undefined {
  for (const token of [tokens.id_token, tokens.access_token]) {
    if (!token) continue;
    try {
      const claims = claimsOf(token);
      const who = claims.email ?? claims.preferred_username ?? claims.sub;
      if (typeof who === 'string') return who;
    } catch {
      // an opaque token says nothing
    }
  }
  return undefined;
}

/** The JWS algorithm for a PEM private key: ES256/384/512 for EC keys by curve, RS256 for RSA. */
function signingAlgorithm(pem: string): string {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return curve === 'secp384r1' ? 'ES384' : curve === 'secp521r1' ? 'ES512' : 'ES256';
  }
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  return 'RS256';
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * Enterprise-managed authorization (SEP-990): the user's ID token, exchanged at the
 * organisation's identity provider (RFC 8693) for an identity assertion grant (ID-JAG) naming
 * the upstream's authorization server (`audience`) and the upstream (`resource`).
 */
async function identityAssertion(target: OAuthTarget, discovery: OAuthDiscoveryState | undefined, scope: string | undefined): Promise<string> {
  const idp = target.oauth.idp!;
  const audience = discovery?.authorizationServerMetadata?.issuer ?? discovery?.authorizationServerUrl;
  if (!audience) throw new Error(`upstream '${target.upstream}': no authorization server found to ask the identity provider for a grant to`);
  try {
    const { jwtAuthGrant } = await requestJwtAuthorizationGrant({
      tokenEndpoint: idp.tokenEndpoint,
      audience,
      resource: discovery?.resourceMetadata?.resource ?? target.url,
      idToken: idp.idToken,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      scope,
      fetchFn: boundedFetch,
    });
    return jwtAuthGrant;
  } catch (error) {
    throw new Error(`the identity provider at ${idp.tokenEndpoint} gave no grant for it (oauth.idp): ${(error as Error).message}`);
  }
}
