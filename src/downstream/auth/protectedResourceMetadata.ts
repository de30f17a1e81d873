// RFC 9728 protected-resource metadata: how an MCP client learns which authorization server
// issues tokens for this endpoint. Served at /.well-known/oauth-protected-resource and at the
// path-suffixed form (/.well-known/oauth-protected-resource/mcp), and named in every 401.
import type { OAuthConfig } from '../../config/authSchema.js';
import type { HttpFilter, RequestContext } from '../filters.js';

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** The resource identifier: the configured audience, else this endpoint's URL. */
export function resourceOf(oauth: OAuthConfig, context: RequestContext): string {
  return oauth.audience ?? context.endpoint.href;
}

/** Where this resource's metadata is, for `WWW-Authenticate: Bearer resource_metadata="…"`. */
export function metadataUrlOf(oauth: OAuthConfig, context: RequestContext): string {
  let resource: URL;
  try {
    resource = new URL(resourceOf(oauth, context));
  } catch {
    resource = context.endpoint; // an audience that is not a URL: serve it from here
  }
  const path = resource.pathname === '/' ? '' : resource.pathname;
  return `${resource.origin}${WELL_KNOWN}${path}`;
}

export function protectedResourceMetadata(oauth: OAuthConfig): HttpFilter {
  return (req, res, context) => {
    const path = context.url.pathname;
    if (path !== WELL_KNOWN && path !== `${WELL_KNOWN}${context.endpoint.pathname}`) return true;
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
      return false;
    }
    const metadata = {
      resource: resourceOf(oauth, context),
      authorization_servers: [oauth.issuer],
      bearer_methods_supported: ['header'],
      ...(oauth.requiredScopes.length > 0 && { scopes_supported: oauth.requiredScopes }),
    };
    res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' }).end(JSON.stringify(metadata));
    return false;
  };
}
