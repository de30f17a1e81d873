// A local OAuth 2.1 authorization server for the upstream OAuth tests, following its RFCs as
// far as mcproxy meets them: metadata (RFC 8414), dynamic client registration (RFC 7591),
// authorization code with PKCE S256 only (RFC 7636) answering with state and iss (RFC 9207),
// resource indicators (RFC 8707), refresh with rotation (RFC 6749 §6; a used refresh token is
// dead), client credentials (client_secret_basic/post), token exchange (RFC 8693), revocation
// of a user's grants. The "browser user" is whoever `loginAs` names: /authorize approves at
// once and redirects, so a $BROWSER script that follows redirects completes a login. Tokens
// are opaque random strings; `introspect` is how the protected server checks them.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Grant {
  sub: string;
  scope: string;
  clientId: string;
  resource?: string;
  expiresAt: number;
}

interface Client {
  client_id: string;
  client_secret?: string;
  redirect_uris: string[];
}

export interface AuthorizationServerOptions {
  /** Seconds an access token lives (default 3600). */
  accessTokenSeconds?: number;
  scopesSupported?: string[];
  /** false: metadata without code_challenge_methods_supported (a server mcproxy must refuse). */
  pkce?: boolean;
  /** Pre-registered clients (client_credentials, or a configured clientId). */
  clients?: Client[];
  /** Token exchange: who a subject_token belongs to (undefined: refused). */
  exchangeSubject?: (subjectToken: string) => Promise<string | undefined>;
}

export interface TestAuthorizationServer {
  issuer: string;
  /** The user /authorize logs in (the person at the browser). */
  loginAs: string;
  /** Scopes /authorize grants beyond those asked for: none by default. */
  introspect(token: string | undefined): Grant | undefined;
  /** Ends every grant of `sub`: its access and refresh tokens stop working. */
  revoke(sub: string): void;
  /** Makes every current access token expire now (their refresh tokens still work). */
  expireAccessTokens(): void;
  /** Token requests so far, by grant_type. */
  tokenRequests: Record<string, number>;
  /** Every token this server issued (for "no token in any log" checks). */
  issued: string[];
  registrations: number;
  close(): Promise<void>;
}

export async function startAuthorizationServer(options: AuthorizationServerOptions = {}): Promise<TestAuthorizationServer> {
  const clients = new Map<string, Client>((options.clients ?? []).map((client) => [client.client_id, client]));
  const codes = new Map<string, { client: string; redirectUri: string; challenge: string; grant: Omit<Grant, 'expiresAt'> }>();
  const accessTokens = new Map<string, Grant>();
  const refreshTokens = new Map<string, Omit<Grant, 'expiresAt'>>();
  const lifetime = options.accessTokenSeconds ?? 3600;
  const scopesSupported = options.scopesSupported ?? ['mcp:read', 'mcp:admin'];
  const token = () => randomBytes(24).toString('base64url');

  const state: TestAuthorizationServer = {
    issuer: '',
    loginAs: 'alice',
    introspect(value) {
      const grant = value === undefined ? undefined : accessTokens.get(value);
      return grant && grant.expiresAt > Date.now() ? grant : undefined;
    },
    revoke(sub) {
      for (const [key, grant] of accessTokens) if (grant.sub === sub) accessTokens.delete(key);
      for (const [key, grant] of refreshTokens) if (grant.sub === sub) refreshTokens.delete(key);
    },
    expireAccessTokens() {
      for (const grant of accessTokens.values()) grant.expiresAt = 0;
    },
    tokenRequests: {},
    issued: [],
    registrations: 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  function issue(grant: Omit<Grant, 'expiresAt'>, withRefresh: boolean) {
    const access = token();
    accessTokens.set(access, { ...grant, expiresAt: Date.now() + lifetime * 1000 });
    state.issued.push(access);
    const body: Record<string, unknown> = { access_token: access, token_type: 'Bearer', expires_in: lifetime, scope: grant.scope };
    if (withRefresh) {
      const refresh = token();
      refreshTokens.set(refresh, grant);
      state.issued.push(refresh);
      body.refresh_token = refresh;
    }
    return body;
  }

  /** client_secret_basic, client_secret_post, or a public client's client_id. */
  function authenticate(req: IncomingMessage, form: URLSearchParams): Client | undefined {
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    let id = form.get('client_id') ?? undefined;
    let secret = form.get('client_secret') ?? undefined;
    if (basic) [id, secret] = Buffer.from(basic[1], 'base64').toString().split(':').map(decodeURIComponent);
    const client = id === undefined ? undefined : clients.get(id);
    if (!client) return undefined;
    if (client.client_secret !== undefined && client.client_secret !== secret) return undefined;
    return client;
  }

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', state.issuer);
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    const oauthError = (status: number, error: string, description?: string) => json(status, { error, ...(description && { error_description: description }) });
    const body = await new Promise<string>((resolve) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk));
      req.on('end', () => resolve(text));
    });

    if (url.pathname === '/.well-known/oauth-authorization-server') {
      return json(200, {
        issuer: state.issuer,
        authorization_endpoint: `${state.issuer}/authorize`,
        token_endpoint: `${state.issuer}/token`,
        registration_endpoint: `${state.issuer}/register`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange'],
        token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
        scopes_supported: scopesSupported,
        authorization_response_iss_parameter_supported: true,
        ...(options.pkce !== false && { code_challenge_methods_supported: ['S256'] }),
      });
    }
    if (url.pathname === '/register' && req.method === 'POST') {
      const metadata = JSON.parse(body) as { redirect_uris?: string[] };
      if (!Array.isArray(metadata.redirect_uris) || metadata.redirect_uris.length === 0) return oauthError(400, 'invalid_redirect_uri');
      const client: Client = { client_id: `client-${token()}`, redirect_uris: metadata.redirect_uris };
      clients.set(client.client_id, client);
      state.registrations++;
      return json(201, { ...metadata, client_id: client.client_id, token_endpoint_auth_method: 'none' });
    }
    if (url.pathname === '/authorize') {
      const q = url.searchParams;
      const client = clients.get(q.get('client_id') ?? '');
      const redirectUri = q.get('redirect_uri') ?? '';
      if (!client || !client.redirect_uris.includes(redirectUri)) return res.writeHead(400).end('unknown client or redirect_uri');
      const back = new URL(redirectUri);
      back.searchParams.set('state', q.get('state') ?? '');
      back.searchParams.set('iss', state.issuer);
      if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
        back.searchParams.set('error', 'invalid_request');
        back.searchParams.set('error_description', 'PKCE S256 is required');
      } else {
        const code = token();
        const scope = q.get('scope') ?? scopesSupported[0];
        codes.set(code, { client: client.client_id, redirectUri, challenge: q.get('code_challenge')!, grant: { sub: state.loginAs, scope, clientId: client.client_id, resource: q.get('resource') ?? undefined } });
        back.searchParams.set('code', code);
      }
      return res.writeHead(302, { location: back.href }).end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const form = new URLSearchParams(body);
      const grantType = form.get('grant_type') ?? '';
      state.tokenRequests[grantType] = (state.tokenRequests[grantType] ?? 0) + 1;
      const client = authenticate(req, form);
      if (!client) return oauthError(401, 'invalid_client');
      if (grantType === 'authorization_code') {
        const code = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        if (!code || code.client !== client.client_id || code.redirectUri !== form.get('redirect_uri') || code.challenge !== challenge) return oauthError(400, 'invalid_grant');
        return json(200, issue(code.grant, true));
      }
      if (grantType === 'refresh_token') {
        const refresh = form.get('refresh_token') ?? '';
        const grant = refreshTokens.get(refresh);
        if (!grant || grant.clientId !== client.client_id) return oauthError(400, 'invalid_grant', 'refresh token unknown, used or revoked');
        refreshTokens.delete(refresh); // rotation: each refresh token works once
        return json(200, issue(grant, true));
      }
      if (grantType === 'client_credentials') {
        if (client.client_secret === undefined) return oauthError(401, 'invalid_client');
        return json(200, issue({ sub: client.client_id, scope: form.get('scope') ?? scopesSupported[0], clientId: client.client_id, resource: form.get('resource') ?? undefined }, false));
      }
      if (grantType === 'urn:ietf:params:oauth:grant-type:token-exchange') {
        const sub = await options.exchangeSubject?.(form.get('subject_token') ?? '');
        if (!sub || form.get('subject_token_type') !== 'urn:ietf:params:oauth:token-type:access_token') return oauthError(400, 'invalid_grant', 'subject token not accepted');
        const issued = issue({ sub, scope: form.get('scope') ?? scopesSupported[0], clientId: client.client_id, resource: form.get('resource') ?? form.get('audience') ?? undefined }, false);
        return json(200, { ...issued, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token' });
      }
      return oauthError(400, 'unsupported_grant_type');
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
