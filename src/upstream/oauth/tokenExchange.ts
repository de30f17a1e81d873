// A team gateway's per-person upstream token by OAuth 2.0 Token Exchange (RFC 8693): the
// person's incoming access token is exchanged at the organisation's token endpoint for a
// token meant for this upstream (its `audience` and `resource`). The incoming token goes to
// that endpoint only, never to the upstream.
import type { TokenExchangeConfig } from '../../config/upstreamOAuthSchema.js';
import type { OAuthTarget } from './sdkAuth.js';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const EXCHANGE_TIMEOUT_MS = 30_000;

/** Exchanges `subjectToken` and stores the result in the target's (the person's) store. */
export async function exchangeToken(target: OAuthTarget, exchange: TokenExchangeConfig, subjectToken: string): Promise<void> {
  const params = new URLSearchParams({
    grant_type: TOKEN_EXCHANGE,
    subject_token: subjectToken,
    subject_token_type: ACCESS_TOKEN_TYPE,
    requested_token_type: ACCESS_TOKEN_TYPE,
    audience: exchange.audience ?? target.url,
    resource: target.url,
  });
  if (target.oauth.scopes?.length) params.set('scope', target.oauth.scopes.join(' '));
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  const { clientId, clientSecret } = target.oauth;
  if (clientId && clientSecret) headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
  else if (clientId) params.set('client_id', clientId);
  const where = `the token exchange at ${exchange.tokenEndpoint} for upstream '${target.upstream}'`;
  let response: Response;
  try {
    response = await fetch(exchange.tokenEndpoint, { method: 'POST', headers, body: params, signal: AbortSignal.timeout(EXCHANGE_TIMEOUT_MS) });
  } catch (error) {
    throw new Error(`${where} failed: ${(error as Error).message}`);
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const why = [body.error, body.error_description].filter((part) => typeof part === 'string').join(': ');
    throw new Error(`${where} was refused (HTTP ${response.status}${why ? `: ${why}` : ''})`);
  }
  if (typeof body.access_token !== 'string') throw new Error(`${where} answered without an access_token`);
  const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : undefined;
  target.store.patch({
    tokens: {
      access_token: body.access_token as string,
      token_type: typeof body.token_type === 'string' ? body.token_type : 'Bearer',
      ...(typeof body.scope === 'string' && { scope: body.scope }),
      ...(expiresIn !== undefined && { expires_in: expiresIn, expires_at: Date.now() + expiresIn * 1000 }),
    },
    problem: undefined,
  });
}
