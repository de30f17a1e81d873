// A person's own login to a `credentials: perUser` upstream on a team gateway, through the
// gateway's connect page: the offer (a connect link for them alone, connectLinks.ts), the
// upstream's authorization-code flow started when they open it (PKCE, state, the redirect back
// to the gateway's own callback), and its end: the `iss` and state checks, the token request,
// the tokens stored under their identity. Their connection, waiting in "needs login",
// connects as soon as the tokens are there.
import { randomBytes, randomUUID } from 'node:crypto';
import { log } from '../../log.js';
import { connectLinks, LINK_TTL_MS } from './connectLinks.js';
import { checkRedirect, probe } from './login.js';
import type { LoginOffer } from './loginOffer.js';
import { startLogin, type OAuthTarget, type StartedLogin } from './sdkAuth.js';
import type { TokenStore } from './tokenStore.js';

interface PendingOffer {
  offer: LoginOffer;
  expires: number;
  /** Its link was opened: the next call gets a new one (this one may still complete). */
  used: boolean;
  resolve(): void;
}

/** Offers not yet completed, by the person's token file: one unused link at a time per person and upstream. */
const offers = new Map<string, PendingOffer[]>();

/**
 * The connect link to offer `subject` for `target` (their own store), the same one until it
 * expires or is used; `done` settles when they completed a login there.
 */
export function connectOffer(target: OAuthTarget, subject: string): LoginOffer {
  const links = connectLinks();
  if (!links) throw new Error(`upstream '${target.upstream}' has credentials: perUser, whose login needs the HTTP listener's connect page: serve HTTP, or set tokenExchange`);
  const key = target.store.file;
  const current = offers.get(key)?.find((pending) => !pending.used && pending.expires > Date.now());
  if (current) return current.offer;
  const { url, expires } = links.create(target.upstream, subject);
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const done = new Promise<void>((ok, fail) => ((resolve = ok), (reject = fail)));
  done.catch(() => {}); // observed by whoever waits
  const offer: LoginOffer = { url, elicitationId: randomUUID(), done, perUser: true };
  const timer = setTimeout(() => {
    const left = (offers.get(key) ?? []).filter((pending) => pending.offer !== offer);
    if (left.length > 0) offers.set(key, left);
    else offers.delete(key);
    reject(new Error(`upstream '${target.upstream}': no login completed at the connect page within ${LINK_TTL_MS / 60_000} minutes`));
  }, LINK_TTL_MS);
  timer.unref();
  const pending: PendingOffer = {
    offer,
    expires,
    used: false,
    resolve: () => {
      clearTimeout(timer);
      resolve();
    },
  };
  offers.set(key, [...(offers.get(key) ?? []), pending]);
  return offer;
}

/** A flow between the connect page and its callback, by its `state`. */
interface Flow {
  target: OAuthTarget;
  subject: string;
  login: StartedLogin;
  /** Binds the flow to the browser that started it (a cookie), so that a leaked authorization URL completes nothing. */
  browser: string;
  expires: number;
}

const flows = new Map<string, Flow>();

/**
 * The connect page's button, pressed by its person: starts the upstream's login; the browser
 * goes to `authorizationUrl` with `browser` as a cookie. `gateway` (the upstream's shared store)
 * keeps the client a dynamic registration made, so that one registration serves everyone: the
 * redirect URL is the gateway's, the same for all.
 */
export async function beginPersonalLogin(target: OAuthTarget, subject: string, redirectUrl: string, gateway: TokenStore): Promise<{ authorizationUrl: string; browser: string }> {
  for (const pending of offers.get(target.store.file) ?? []) pending.used = true;
  const registered = gateway.read()?.client;
  const configured = target.oauth.clientId !== undefined || target.oauth.clientMetadataUrl !== undefined;
  if (!configured && registered && !target.store.read()?.client && (registered.redirect_uris as unknown[] | undefined)?.includes(redirectUrl)) {
    await target.store.locked(async () => target.store.patch({ client: registered }));
  }
  const challenge = await probe(target);
  const state = randomBytes(24).toString('base64url');
  const scope = target.store.read()?.stepUpScope;
  const login = await startLogin(target, { redirectUrl, state }, { challenge, scope });
  const client = target.store.read()?.client;
  if (!configured && client && client.client_id !== registered?.client_id) {
    await gateway.locked(async () => gateway.patch({ client }));
  }
  const now = Date.now();
  for (const [key, flow] of flows) if (flow.expires < now) flows.delete(key);
  const browser = randomBytes(24).toString('base64url');
  flows.set(state, { target, subject, login, browser, expires: now + LINK_TTL_MS });
  return { authorizationUrl: login.authorizationUrl.href, browser };
}

/** The callback: checks the redirect (state, browser, iss), gets the tokens, stores them under the person's identity. */
export async function finishPersonalLogin(upstream: string, params: URLSearchParams, browser: string | undefined): Promise<{ subject: string }> {
  const state = params.get('state') ?? '';
  const flow = flows.get(state);
  if (!flow || flow.target.upstream !== upstream || flow.expires < Date.now()) {
    throw new Error(`upstream '${upstream}': this login is unknown or expired (or was already completed): call the tool again to get a new link`);
  }
  if (browser !== flow.browser) throw new Error(`upstream '${upstream}': this login was started in another browser: open the connect link here instead`);
  flows.delete(state);
  const refusal = checkRedirect(upstream, params, state, flow.login.issuer, flow.login.issRequired);
  if (refusal) throw new Error(refusal);
  await flow.login.finish(params.get('code')!, params.get('iss') ?? undefined);
  log.info('a person connected their account', { upstream });
  const key = flow.target.store.file;
  for (const pending of offers.get(key) ?? []) pending.resolve();
  offers.delete(key);
  return { subject: flow.subject };
}
