// The connect page on the HTTP listener, ahead of auth (a browser carries no MCP credentials:
// the signed link is the credential), where a person logs in to a `credentials: perUser`
// upstream (personalLogin.ts):
// - GET `/connect/<upstream>?link=…` shows whose account is about to be connected, with one
//   button: someone sent another person's link sees a name that is not theirs, and an
//   authorization server that approves at once cannot be reached without a click;
// - the button POSTs the link back (from this page's own origin only, in no frame), which
//   uses it up, starts the upstream's login and sends the browser to its authorization server;
// - `/connect/<upstream>/callback` is where it comes back.
// Every answer is a short HTML page saying what happened; none echoes a token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProxyConfig } from '../config/schema.js';
import { log } from '../log.js';
import { connectLinks, LINK_TTL_MS, type ConnectLinks } from '../upstream/oauth/connectLinks.js';
import { beginPersonalLogin, finishPersonalLogin } from '../upstream/oauth/personalLogin.js';
import { oauthTarget } from '../upstream/oauth/upstreamAuth.js';
import type { HttpFilter } from './filters.js';

/** The cookie that ties the callback to the browser that opened the link. */
const BROWSER_COOKIE = 'mcproxy-connect';
/** The confirmation form's body: the link, and little else. */
const MAX_FORM_BYTES = 8_192;

const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

/** `upstreams`: read per request, so a reload is seen. */
export function connectPage(upstreams: () => ProxyConfig['upstreams']): HttpFilter {
  return async (req, res, context) => {
    const links = connectLinks();
    const match = /^(.*)\/connect\/([^/]+)(\/callback)?$/.exec(context.url.pathname);
    // At /connect/ under the public URL's path, or at the root where a reverse proxy strips that path.
    if (!links || !match || (match[1] !== '' && match[1] !== links.base.pathname.replace(/\/$/, ''))) return true;
    const name = decodeURIComponent(match[2]);
    const upstream = upstreams().find((candidate) => candidate.name === name);
    // Anything else at such a path is not the connect page's (a profile, say).
    if (!upstream || !('url' in upstream) || upstream.credentials !== 'perUser' || upstream.tokenExchange) return true;
    const callback = match[3] !== undefined;
    const allowed = callback ? ['GET'] : ['GET', 'POST'];
    if (!allowed.includes(req.method ?? '')) {
      res.writeHead(405, { allow: allowed.join(', ') }).end();
      return false;
    }
    try {
      if (callback) {
        const { subject } = await finishPersonalLogin(name, context.url.searchParams, cookie(req.headers.cookie, BROWSER_COOKIE));
        page(res, 200, 'Connected', `Your account is connected to '${name}' for ${subject}. You can close this window and go back to your MCP client.`);
      } else if (req.method === 'GET') {
        confirm(res, links, name, upstream.url, context.url.searchParams.get('link'));
      } else {
        await start(req, res, links, name, upstream);
      }
    } catch (error) {
      log.warn(`connect page: ${(error as Error).message}`, { upstream: name });
      page(res, 400, 'Not connected', (error as Error).message);
    }
    return false;
  };
}

/** The page a link opens: whose account, which upstream, and the button. */
function confirm(res: ServerResponse, links: ConnectLinks, name: string, url: string, link: string | null): void {
  const opened = links.open(name, link, Date.now(), false);
  if ('refused' in opened) return page(res, 403, 'Link refused', opened.refused);
  page(
    res,
    200,
    `Connect '${name}'`,
    `This connects your account at ${new URL(url).host} to '${name}' on this gateway, for ${opened.subject}: your calls to '${name}' will use it. If that is not you, or you did not ask for this link, close this page.`,
    `<form method="post"><input type="hidden" name="link" value="${escape(link!)}"><button id="connect" type="submit">Connect and log in to ${escape(new URL(url).host)}</button></form>`,
  );
}

/** The button: the link is used up, the login starts, and the browser goes to the authorization server. */
async function start(req: IncomingMessage, res: ServerResponse, links: ConnectLinks, name: string, upstream: Parameters<typeof oauthTarget>[0]): Promise<void> {
  // A form another site submits carries that site's origin (or none, from a script of its own).
  if (req.headers.origin !== links.base.origin) return page(res, 403, 'Refused', 'This form is sent from the connect page only: open your link again.');
  const link = new URLSearchParams(await readForm(req)).get('link');
  const opened = links.open(name, link);
  if ('refused' in opened) return page(res, 403, 'Link refused', opened.refused);
  const target = oauthTarget(upstream, opened.subject)!;
  const { authorizationUrl, browser } = await beginPersonalLogin(target, opened.subject, links.callbackUrl(name), oauthTarget(upstream)!.store);
  const secure = links.base.protocol === 'https:' ? '; Secure' : '';
  res
    .writeHead(303, {
      location: authorizationUrl,
      'set-cookie': `${BROWSER_COOKIE}=${browser}; Path=${links.pathFor(name)}; Max-Age=${LINK_TTL_MS / 1000}; HttpOnly; SameSite=Lax${secure}`,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    })
    .end();
}

function readForm(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_FORM_BYTES) {
        reject(new Error('the form is too large'));
        req.destroy();
      }
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function page(res: ServerResponse, status: number, title: string, text: string, form = ''): void {
  res
    .writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': PAGE_CSP,
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
      // Links carry the credential: none leaves for another site; the form's POST still says its origin.
      'referrer-policy': 'same-origin',
      'x-content-type-options': 'nosniff',
    })
    .end(
      `<!doctype html><html><head><meta charset="utf-8"><title>mcproxy: ${escape(title)}</title></head><body style="font-family: sans-serif; max-width: 40em; margin: 3em auto"><h1>${escape(title)}</h1><p id="message">${escape(text)}</p>${form}</body></html>\n`,
    );
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
