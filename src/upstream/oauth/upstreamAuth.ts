// OAuth on one remote upstream connection: a fetch filter that sends the stored access token,
// renews it before it expires and after a 401 (refresh, or client credentials), and turns what
// only a person can fix (no login yet, a rejected refresh token, a 403 asking for more scope)
// into NeedsLoginError. Renewals are bounded: one per request, so a server that keeps
// refusing fresh tokens gets an error, not a loop.
import type { FetchLike } from '@modelcontextprotocol/client';
import type { RemoteUpstreamConfig, UpstreamConfig } from '../../config/schema.js';
import { needsPerson, UpstreamOAuthSchema, type TokenExchangeConfig } from '../../config/upstreamOAuthSchema.js';
import { NeedsLoginError } from './needsLogin.js';
import { challengeOf, renewSilently, scopeUnion, type AuthorizeOptions, type OAuthTarget } from './sdkAuth.js';
import { TokenStore, type StoredTokens } from './tokenStore.js';
import { exchangeToken } from './tokenExchange.js';
import { offerLogin, type LoginOffer } from './loginOffer.js';
import { connectOffer } from './personalLogin.js';

/** Who a team gateway's connection acts for (credentials: perUser). */
export interface Caller {
  /** The person's stable identity (src/downstream/auth/identity.ts); their tokens are stored under it. */
  subject: string;
  /** Their current incoming access token: sent to a `tokenExchange` endpoint only, never upstream. */
  incomingToken(): string | undefined;
}

/** Tokens this close to expiry are renewed before they are sent (at most half their lifetime, so short-lived ones are used too). */
const RENEW_BEFORE_EXPIRY_MS = 60_000;

function aboutToExpire(tokens: StoredTokens | undefined): boolean {
  if (tokens?.expires_at === undefined) return false;
  const lifetime = typeof tokens.expires_in === 'number' ? tokens.expires_in * 1000 : Infinity;
  return tokens.expires_at - Date.now() < Math.min(RENEW_BEFORE_EXPIRY_MS, lifetime / 2);
}

type RemoteUpstream = RemoteUpstreamConfig & UpstreamConfig;

/** The OAuth target of an upstream (`subject`: a person's own login on a team gateway). */
export function oauthTarget(config: RemoteUpstream, subject?: string): OAuthTarget | undefined {
  if (!config.tokenStore) return undefined;
  // Configured static credentials are the user's choice: no OAuth on top of them.
  if (Object.keys(config.headers ?? {}).some((header) => header.toLowerCase() === 'authorization')) return undefined;
  return {
    upstream: config.name,
    url: config.url,
    oauth: config.oauth ?? UpstreamOAuthSchema.parse({}),
    store: new TokenStore(config.tokenStore, config.name, config.url, subject),
  };
}

/**
 * The OAuth of one connection to `config`: the shared login, or (credentials: perUser) the
 * caller's own, by token exchange when configured. Undefined when the upstream has static
 * credentials. A perUser upstream with nobody identified behind the connection refuses to connect.
 */
export function upstreamAuthFor(config: RemoteUpstream, caller?: Caller): UpstreamAuth | undefined {
  if (config.credentials !== 'perUser') {
    const target = oauthTarget(config);
    return target && new UpstreamAuth(target);
  }
  const target = oauthTarget(config, caller?.subject ?? '');
  if (!target) return undefined;
  const exchange = config.tokenExchange && caller ? { config: config.tokenExchange, caller } : undefined;
  return new UpstreamAuth(target, exchange, caller === undefined, caller?.subject);
}

/** Renewals in progress, by token file: concurrent requests that all met a 401 renew once. */
const renewing = new Map<string, Promise<void>>();

export class UpstreamAuth {
  constructor(
    readonly target: OAuthTarget,
    /** perUser with `tokenExchange`: how this person's upstream token is obtained. */
    private readonly exchange?: { config: TokenExchangeConfig; caller: Caller },
    /** perUser, but no identified person behind this connection (stdio, or no server.auth). */
    private readonly nobody = false,
    /** perUser: whose login this is. */
    private readonly perUserSubject?: string,
  ) {}

  /** Whether a person logs in in a browser for these tokens (the shared authorization_code login). */
  get interactive(): boolean {
    return this.target.oauth.grant === 'authorization_code' && !this.exchange && !this.nobody && this.perUserSubject === undefined;
  }

  get store(): TokenStore {
    return this.target.store;
  }

  /** `fetch` with this upstream's token on every request. */
  wrap(fetch: FetchLike): FetchLike {
    const authorized: FetchLike = async (url, init) => {
      if (this.nobody) {
        throw new Error(`upstream '${this.target.upstream}' has credentials: perUser, which needs to know who calls: serve HTTP with server.auth (API keys or OAuth)`);
      }
      let token = await this.currentToken();
      for (let renewed = false; ; renewed = true) {
        const response = await fetch(url, withBearer(init, token));
        if (response.status !== 401 && response.status !== 403) return response;
        const challenge = challengeOf(response);
        if (response.status === 403) {
          if (challenge.error !== 'insufficient_scope' || renewed) return response;
          await response.body?.cancel();
          await this.stepUp(challenge.scope, { challenge });
        } else {
          // A 401 that is not an OAuth challenge, to a connection without a login, is the server's own answer.
          const oauthChallenge = challenge.resourceMetadataUrl !== undefined || /^\s*bearer/i.test(response.headers.get('www-authenticate') ?? '');
          if (renewed || (!token && !oauthChallenge && needsPerson(this.target.oauth) && !this.exchange)) return response;
          await response.body?.cancel();
          await this.renew(token, { challenge });
        }
        token = this.store.read()?.tokens?.access_token;
      }
    };
    if (!this.personalLogin) return authorized;
    // Whatever needs a login here needs this person's, at the connect page.
    return (url, init) =>
      authorized(url, init).catch((error: unknown) => {
        if (!(error instanceof NeedsLoginError) || error.perUser) throw error;
        throw new NeedsLoginError(error.upstream, error.reason, undefined, true);
      });
  }

  /** perUser without tokenExchange: each person logs in in their browser, at the gateway's connect page. */
  private get personalLogin(): boolean {
    return this.perUserSubject !== undefined && !this.exchange && this.target.oauth.grant === 'authorization_code';
  }

  /**
   * A login the client can put in front of its user (src/session/loginElicitation.ts): the
   * loopback login of a single-user proxy, or this person's connect link on a team gateway;
   * undefined where no person logs in (client credentials, token exchange).
   */
  offer(): Promise<LoginOffer> | undefined {
    if (this.interactive) return offerLogin(this.target);
    if (this.personalLogin) return Promise.resolve(connectOffer(this.target, this.perUserSubject!));
    return undefined;
  }

  /** The access token to send: renewed first when it is about to expire; none before any login. */
  private async currentToken(): Promise<string | undefined> {
    const tokens = this.store.read()?.tokens;
    const renewable = tokens?.refresh_token !== undefined || this.exchange !== undefined || !needsPerson(this.target.oauth);
    if (tokens && !(aboutToExpire(tokens) && renewable)) return tokens.access_token;
    if (!tokens && needsPerson(this.target.oauth) && !this.exchange) return undefined;
    await this.renew(tokens?.access_token, {});
    return this.store.read()?.tokens?.access_token;
  }

  /**
   * Renews once, whoever asks: in this process (one promise) and among proxies (the store's lock).
   * A running proxy writes the token file only under that lock: a read-change-write outside it
   * could put back the tokens another proxy has just replaced, and their refresh token is spent.
   */
  private renew(failed: string | undefined, options: AuthorizeOptions): Promise<void> {
    const key = this.store.file;
    let running = renewing.get(key);
    if (!running) {
      running = this.store
        .locked(async () => {
          const stored = this.store.read();
          // The scope a 401 asked for is what the next login asks for.
          const asked = options.challenge?.scope;
          if (asked && stored?.stepUpScope !== asked) this.store.patch({ stepUpScope: asked });
          // Another proxy (or connection) may have renewed while we waited for the lock.
          const current = stored?.tokens;
          if (current && current.access_token !== failed && !aboutToExpire(current)) return;
          if (this.exchange) return this.exchangeIncoming();
          await renewSilently(this.target, options);
        })
        .finally(() => renewing.delete(key));
      renewing.set(key, running);
    }
    return running;
  }

  private async exchangeIncoming(): Promise<void> {
    const { config, caller } = this.exchange!;
    const incoming = caller.incomingToken();
    if (!incoming) throw new Error(`upstream '${this.target.upstream}' (credentials: perUser, tokenExchange) needs the caller's own access token: ${caller.subject} sent none`);
    await exchangeToken(this.target, config, incoming);
  }

  /** A 403 insufficient_scope: machines ask for the scope at once; a person must log in again with it. */
  private async stepUp(scope: string | undefined, options: AuthorizeOptions): Promise<void> {
    if (!needsPerson(this.target.oauth)) return this.store.locked(() => renewSilently(this.target, { ...options, scope }));
    if (this.exchange) throw new Error(`upstream '${this.target.upstream}' asks for more scope (${scope ?? 'unnamed'}) than the token exchange gave`);
    await this.store.locked(async () => this.store.update((login) => ({ ...login, stepUpScope: scopeUnion(login.tokens?.scope, scope) || undefined })));
    throw new NeedsLoginError(this.target.upstream, `it asks for more scope${scope ? `: ${scope}` : ''}`);
  }
}

function withBearer(init: RequestInit | undefined, token: string | undefined): RequestInit | undefined {
  if (!token) return init;
  const headers = new Headers(init?.headers);
  headers.set('Authorization', `Bearer ${token}`);
  return { ...init, headers };
}
