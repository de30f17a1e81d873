// Links to the connect page (src/downstream/connectPage.ts), where a person on a team gateway
// logs in to a `credentials: perUser` upstream: signed with `server.connectKey` (else a key
// random per process), bound to that person's identity and the upstream, valid for
// LINK_TTL_MS and usable once. The link is handed to that person alone (in their error or URL
// elicitation); it is a credential, so it is never logged.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ProxyConfig } from '../../config/schema.js';
import { log } from '../../log.js';

/** How long a connect link works. */
export const LINK_TTL_MS = 10 * 60_000;

interface Claims {
  /** The upstream's name. */
  u: string;
  /** The person's identity (src/downstream/auth/identity.ts). */
  s: string;
  /** Expiry, epoch ms. */
  e: number;
  /** Makes each link unique, so that a used one can be refused. */
  n: string;
}

export class ConnectLinks {
  private readonly key: Buffer;
  /** Nonces of links already opened, until they expire. */
  private readonly used = new Map<string, number>();

  constructor(
    /** Where browsers reach the listener (`server.publicUrl`, else the listener's own URL). */
    readonly base: URL,
    key?: string,
  ) {
    this.key = key ? Buffer.from(key, 'utf8') : randomBytes(32);
  }

  /** The connect page's path for `upstream`, under the public URL's own path. */
  pathFor(upstream: string): string {
    return `${this.base.pathname.replace(/\/$/, '')}/connect/${encodeURIComponent(upstream)}`;
  }

  /** Where the authorization server sends the person back to (the same for everyone, so one client registration serves all). */
  callbackUrl(upstream: string): string {
    return new URL(`${this.pathFor(upstream)}/callback`, this.base).href;
  }

  create(upstream: string, subject: string, now = Date.now()): { url: string; expires: number } {
    const claims: Claims = { u: upstream, s: subject, e: now + LINK_TTL_MS, n: randomBytes(12).toString('base64url') };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const url = new URL(this.pathFor(upstream), this.base);
    url.searchParams.set('link', `${payload}.${this.sign(payload)}`);
    return { url: url.href, expires: claims.e };
  }

  /** Whose link this is, or why it cannot be used; `use` uses it up (a link starts one login). */
  open(upstream: string, link: string | null, now = Date.now(), use = true): { subject: string } | { refused: string } {
    const [payload, signature] = (link ?? '').split('.');
    if (!payload || !signature || !safeEqual(signature, this.sign(payload))) {
      return { refused: 'This connect link is not valid (damaged, or made by another mcproxy process): call the tool again to get a new one.' };
    }
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims;
    if (claims.u !== upstream) return { refused: 'This connect link is for another upstream.' };
    if (claims.e < now) return { refused: 'This connect link has expired: call the tool again to get a new one.' };
    for (const [nonce, expires] of this.used) if (expires < now) this.used.delete(nonce);
    if (this.used.has(claims.n)) return { refused: 'This connect link was already used: call the tool again to get a new one.' };
    if (use) this.used.set(claims.n, claims.e);
    return { subject: claims.s };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The links of an HTTP listener now listening at `listenerUrl`; warns when people would be sent
 * to an address their browsers cannot open (a wildcard bind without `server.publicUrl`).
 */
export function connectLinksFor(config: ProxyConfig, listenerUrl: string): ConnectLinks {
  const base = new URL(config.server.publicUrl ?? new URL('/', listenerUrl).href);
  const personal = config.upstreams.filter((upstream) => 'url' in upstream && upstream.credentials === 'perUser' && !upstream.tokenExchange);
  if (personal.length > 0 && !config.server.publicUrl && ['0.0.0.0', '[::]'].includes(base.hostname)) {
    log.warn(`credentials: perUser upstreams (${personal.map((upstream) => upstream.name).join(', ')}) send people to ${base.origin}/connect/…, which their browsers cannot open: set server.publicUrl`);
  }
  return new ConnectLinks(base, config.server.connectKey);
}

let current: ConnectLinks | undefined;

/** Set by the HTTP listener once it knows its URL; undefined in stdio mode. */
export function useConnectLinks(links: ConnectLinks | undefined): void {
  current = links;
}

export function connectLinks(): ConnectLinks | undefined {
  return current;
}
