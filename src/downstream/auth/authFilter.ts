// The auth filter: reads the bearer credential, accepts a configured API key or a valid OAuth
// access token, and attaches the identity; everything else gets 401 (or 403 for missing
// scopes) with the WWW-Authenticate the MCP authorization spec asks for. The credential stays
// here: it is never logged and never forwarded upstream.
import type { IncomingMessage } from 'node:http';
import type { AuthConfig } from '../../config/authSchema.js';
import { isLoopback } from '../hostPolicy.js';
import { reply, type HttpFilter } from '../filters.js';
import { apiKeyMatcher } from './apiKeys.js';
import { oauthVerifier } from './oauth.js';
import { metadataUrlOf } from './protectedResourceMetadata.js';

/** Whether the auth section asks for any credential at all. */
export function requiresCredentials(auth: AuthConfig | undefined): auth is AuthConfig {
  return auth !== undefined && (auth.apiKeys?.length ?? 0) + (auth.oauth ? 1 : 0) > 0;
}

/**
 * Why the listener must not start: reachable beyond this machine with no credentials asked,
 * unless the config says so explicitly.
 */
export function anonymousBindRefusal(host: string, auth: AuthConfig | undefined): string | undefined {
  if (isLoopback(host) || auth?.allowAnonymous || requiresCredentials(auth)) return undefined;
  return `refusing to listen on ${host} without authentication: configure server.auth.apiKeys or server.auth.oauth, or set server.auth.allowAnonymous: true`;
}

export function authFilter(auth: AuthConfig): HttpFilter {
  const matchKey = auth.apiKeys?.length ? apiKeyMatcher(auth.apiKeys) : undefined;
  const verifyToken = auth.oauth ? oauthVerifier(auth.oauth) : undefined;
  const oauth = auth.oauth;

  return async (req, res, context) => {
    // Without OAuth there is no metadata to point to: a plain Bearer challenge.
    const challenge = (params: Record<string, string> = {}) => {
      const all = { ...params, ...(oauth && { resource_metadata: metadataUrlOf(oauth, context) }) };
      const text = Object.entries(all).map(([key, value]) => `${key}="${value.replace(/["\\]/g, '')}"`).join(', ');
      return { 'www-authenticate': text ? `Bearer ${text}` : 'Bearer' };
    };

    const credential = bearerCredential(req, auth.header);
    if (credential === undefined) {
      reply(res, 401, -32001, 'Unauthorized: this endpoint requires a bearer credential', challenge());
      return false;
    }
    const keyIdentity = matchKey?.(credential);
    if (keyIdentity) {
      context.identity = keyIdentity;
      return true;
    }
    if (!verifyToken) {
      reply(res, 401, -32001, 'Unauthorized: the API key is not valid', challenge({ error: 'invalid_token' }));
      return false;
    }
    const check = await verifyToken(credential, context.endpoint.href);
    if (check.ok) {
      context.identity = check.identity;
      // Kept for token exchange (RFC 8693) to perUser upstreams; never forwarded upstream.
      context.accessToken = credential;
      return true;
    }
    const params: Record<string, string> = { error: check.error, error_description: check.description };
    if (check.error === 'insufficient_scope' && oauth) params.scope = oauth.requiredScopes.join(' ');
    const headers = check.status === 503 ? { 'retry-after': '5' } : challenge(params);
    reply(res, check.status, -32001, `${check.status === 403 ? 'Forbidden' : 'Unauthorized'}: ${check.description}`, headers);
    return false;
  };
}

/** The credential in the configured header: `Bearer <value>`, or a bare value in a header other than Authorization. */
function bearerCredential(req: IncomingMessage, header: string): string | undefined {
  const raw = req.headers[header.toLowerCase()];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (!value) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(value);
  if (match) return match[1];
  return header.toLowerCase() === 'authorization' ? undefined : value;
}
