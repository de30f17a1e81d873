// Logins a running proxy starts itself, so that a client that can open URLs (URL-mode
// elicitation, MCP 2025-11-25) can put the login in front of its user: the same flow as
// `mcproxy auth login`, its loopback listener held open until the login completes or
// LOGIN_OFFER_MS passes. One offer per login at a time, whoever asks.
import { randomUUID } from 'node:crypto';
import { log } from '../../log.js';
import { beginLogin } from './login.js';
import type { OAuthTarget } from './sdkAuth.js';

/** How long an offered login stays open. */
const LOGIN_OFFER_MS = 10 * 60_000;

export interface LoginOffer {
  /** The authorization URL to open. */
  url: string;
  /** The URL elicitation's id: the same for everyone shown this offer. */
  elicitationId: string;
  /** Settles when the login completed (the upstream then connects) or failed. */
  done: Promise<void>;
  /** A person's own connect link on a team gateway (personalLogin.ts): theirs alone, so their error may carry it. */
  perUser?: boolean;
}

const offers = new Map<string, Promise<LoginOffer>>();

export function offerLogin(target: OAuthTarget): Promise<LoginOffer> {
  const key = target.store.file;
  let offer = offers.get(key);
  if (!offer) {
    offer = beginLogin(target).then((pending) => {
      const done = pending.completion(LOGIN_OFFER_MS).finally(() => {
        pending.cancel();
        offers.delete(key);
      });
      done.then(
        () => log.info('logged in through the client', { upstream: target.upstream }),
        (error: Error) => log.warn(`the login offered to the client did not complete: ${error.message}`, { upstream: target.upstream }),
      );
      return { url: pending.url, elicitationId: randomUUID(), done };
    });
    offer.catch(() => offers.delete(key));
    offers.set(key, offer);
  }
  return offer;
}
