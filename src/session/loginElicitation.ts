// A client's request that meets an upstream waiting for a login. The login on offer is the
// upstream's (UpstreamAuth.offer): the loopback login of a single-user proxy, or, on a team
// gateway with `credentials: perUser`, the person's own link to the gateway's connect page.
// - A client that can open URLs (elicitation.url, MCP 2025-11-25 third-party authorization)
//   and holds a session is asked with `elicitation/create` (mode url) during the request; once
//   the login is done the upstream connects, the client hears notifications/elicitation/complete,
//   and the request runs again and gets its answer.
// - One that can open URLs but cannot be asked now (a 2026-07-28 client, or one whose
//   elicitation request failed) gets URL elicitation required (-32042) with the URL, and
//   elicitation/complete once done; it may retry.
// - Others get the error: it names `mcproxy auth login`, or carries the person's connect link.
import { ProtocolErrorCode, type Result, type ServerContext, type ServerRequest } from '@modelcontextprotocol/server';
import { log } from '../log.js';
import type { UpstreamConnection } from '../upstream/connection.js';
import { asClientError, ForwardedError } from '../upstream/errors.js';
import { LooseResult } from '../upstream/looseSchemas.js';
import type { LoginOffer } from '../upstream/oauth/loginOffer.js';
import type { ClientSession } from './session.js';

/** How long a connection may take to come up once its login is done. */
const CONNECT_AFTER_LOGIN_MS = 15_000;
/** A person at a browser: the elicitation and the login it opens may take this long. */
const ASK_TIMEOUT_MS = 10 * 60_000;

interface NeedsLoginData {
  needsLogin?: boolean;
  upstream?: string;
}

/** Answers `error` (thrown by `retry`'s first run) by offering the login where it can; throws the client's error otherwise. */
export async function loginElicitation(session: ClientSession, error: unknown, ctx: ServerContext, retry: () => Promise<Result>): Promise<Result> {
  const data = (error as { data?: NeedsLoginData }).data;
  if (!(error instanceof ForwardedError) || data?.needsLogin !== true || !data.upstream) throw asClientError(error);
  const upstream = data.upstream;
  const connection = (await session.upstreams()).get(upstream);
  const urls = session.clientCapabilities()?.elicitation?.url !== undefined;
  const personal = connection !== undefined && 'url' in connection.config && connection.config.credentials === 'perUser';
  let offer: LoginOffer | undefined;
  try {
    // A loopback login is started only for a client that can open it; a person's connect link costs nothing.
    offer = urls || personal ? await connection?.offerLogin() : undefined;
  } catch (offerError) {
    log.warn(`could not start a login for the client: ${(offerError as Error).message}`, { upstream, session: session.label });
  }
  if (!offer || !connection) throw error;
  if (!urls) {
    if (!offer.perUser) throw error;
    throw new ForwardedError(error.code, `Upstream '${upstream}' needs login: connect your account at ${offer.url} (a link for you alone, valid once for 10 minutes), then call again`, {
      upstream,
      needsLogin: true,
      connectUrl: offer.url,
    });
  }
  const message = offer.perUser ? `Connect your account to '${upstream}' to use it.` : `Log in to '${upstream}' to use it.`;
  const elicitation = { mode: 'url', elicitationId: offer.elicitationId, url: offer.url, message };
  const complete = () => session.notifyClient({ method: 'notifications/elicitation/complete', params: { elicitationId: offer.elicitationId } });
  if (!session.speaksModern()) {
    const answer = await ask(ctx, elicitation);
    if (answer === 'accept') {
      await untilConnected(offer, connection, ctx.mcpReq.signal);
      complete();
      return retry().catch((again: unknown) => {
        throw asClientError(again);
      });
    }
    if (answer !== undefined) throw new ForwardedError(error.code, `${error.message} (the login was ${answer === 'decline' ? 'declined' : 'cancelled'})`, data);
  }
  offer.done.then(complete, () => {});
  throw new ForwardedError(ProtocolErrorCode.UrlElicitationRequired, `${error.message} (or log in at the URL given)`, { ...data, elicitations: [elicitation] });
}

/** The client's answer to a URL elicitation; undefined when it could not be asked (it then gets -32042). */
async function ask(ctx: ServerContext, params: Record<string, unknown>): Promise<string | undefined> {
  try {
    const result = await ctx.mcpReq.send({ method: 'elicitation/create', params } as ServerRequest, LooseResult, { signal: ctx.mcpReq.signal, timeout: ASK_TIMEOUT_MS });
    const action = (result as { action?: unknown }).action;
    return typeof action === 'string' ? action : undefined;
  } catch (error) {
    if (ctx.mcpReq.signal.aborted) throw error;
    log.debug(`the client did not take the login elicitation: ${(error as Error).message}`);
    return undefined;
  }
}

/** Waits for the login, then for the upstream to connect with it (it watches its token store). */
async function untilConnected(offer: LoginOffer, connection: UpstreamConnection, signal: AbortSignal): Promise<void> {
  const aborted = new Promise<never>((_, reject) => {
    const onAbort = () => reject(new Error('the request was cancelled while waiting for the login'));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => {});
  await Promise.race([offer.done, aborted]);
  const until = Date.now() + CONNECT_AFTER_LOGIN_MS;
  while (connection.state !== 'ready' && Date.now() < until && !signal.aborted) await new Promise((resolve) => setTimeout(resolve, 100));
}
