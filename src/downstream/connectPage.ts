// The connect page on the HTTP listener, ahead of auth (a browser carries no MCP credentials:
// the signed link is the credential): `/connect/<upstream>?link=…` starts a person's login to
// a `credentials: perUser` upstream (personalLogin.ts) and sends the browser to the
// upstream's authorization server; `/connect/<upstream>/callback` is where it comes back.
// Both answer with a short HTML page saying what happened; errors never echo a token.
import type { ServerResponse } from 'node:http';
import type { ProxyConfig } from '../config/schema.js';
import { log } from '../log.js';
import { connectLinks, LINK_TTL_MS } from '../upstream/oauth/connectLinks.js';
import { beginPersonalLogin, finishPersonalLogin } from '../upstream/oauth/personalLogin.js';
import { oauthTarget } from '../upstream/oauth/upstreamAuth.js';
import type { HttpFilter } from './filters.js';

/** The cookie that ties the callback to the browser that opened the link. */
const BROWSER_COOKIE = 'mcproxy-connect';

const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'";

/** `upstreams`: read per request, so a reload is seen. */
export function connectPage(upstreams: () => ProxyConfig['upstreams']): HttpFilter {
  return async (req, res, context) => {
    const links = connectLinks();
    const match = /^(.*)\/connect\/([^/]+)(\/callback)?$/.exec(context.url.pathname);
    // At /connect/ under the public URL's path, or at the root where a reverse proxy strips that path.
    if (!links || !match || (match[1] !== '' && match[1] !== links.base.pathname.replace(/\/$/, ''))) return true;
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
      return false;
    }
    const name = decodeURIComponent(match[2]);
    const upstream = upstreams().find((candidate) => candidate.name === name);
    if (!upstream || !('url' in upstream) || upstream.credentials !== 'perUser' || upstream.tokenExchange) {
      page(res, 404, 'Not found', `No upstream '${name}' that people connect to here.`);
      return false;
    }
    try {
      if (match[3]) {
        const { subject } = await finishPersonalLogin(name, context.url.searchParams, cookie(req.headers.cookie, BROWSER_COOKIE));
        page(res, 200, 'Connected', `Your account is connected to '${name}' for ${subject}. You can close this window and go back to your MCP client.`);
        return false;
      }
      const opened = links.open(name, context.url.searchParams.get('link'));
      if ('refused' in opened) {
        page(res, 403, 'Link refused', opened.refused);
        return false;
      }
      const target = oauthTarget(upstream, opened.subject)!;
      const { authorizationUrl, browser } = await beginPersonalLogin(target, opened.subject, links.callbackUrl(name));
      const secure = links.base.protocol === 'https:' ? '; Secure' : '';
      res
        .writeHead(302, {
          location: authorizationUrl,
          'set-cookie': `${BROWSER_COOKIE}=${browser}; Path=${links.pathFor(name)}; Max-Age=${LINK_TTL_MS / 1000}; HttpOnly; SameSite=Lax${secure}`,
          'cache-control': 'no-store',
          'referrer-policy': 'no-referrer',
        })
        .end();
    } catch (error) {
      log.warn(`connect page: ${(error as Error).message}`, { upstream: name });
      page(res, 400, 'Not connected', (error as Error).message);
    }
    return false;
  };
}

function page(res: ServerResponse, status: number, title: string, text: string): void {
  res
    .writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': PAGE_CSP, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff' })
    .end(`<!doctype html><html><head><meta charset="utf-8"><title>mcproxy: ${escape(title)}</title></head><body style="font-family: sans-serif; max-width: 40em; margin: 3em auto"><h1>${escape(title)}</h1><p id="message">${escape(text)}</p></body></html>\n`);
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
