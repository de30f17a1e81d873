// A client's request that meets an upstream waiting for a login: when the client can open
// URLs (elicitation.url), the error becomes URL elicitation required (-32042) with the login
// URL, the flow MCP 2025-11-25 defines for third-party authorization; the upstream connects
// once the user has logged in, and the client may retry. Other clients keep the error that
// names `mcproxy auth login`.
import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import { log } from '../log.js';
import { ForwardedError } from '../upstream/errors.js';
import type { ClientSession } from './session.js';

export async function loginElicitation(session: ClientSession, error: unknown): Promise<unknown> {
  const data = (error as { data?: { needsLogin?: boolean; upstream?: string } }).data;
  if (!(error instanceof ForwardedError) || data?.needsLogin !== true || !data.upstream) return error;
  if (!session.clientCapabilities()?.elicitation?.url) return error;
  const connection = (await session.upstreams()).get(data.upstream);
  try {
    const offer = await connection?.offerLogin();
    if (!offer) return error;
    const message = `Log in to '${data.upstream}' to use it: open the login page; the proxy connects once you are done.`;
    return new ForwardedError(ProtocolErrorCode.UrlElicitationRequired, `${error.message} (or log in at the URL given)`, {
      ...data,
      elicitations: [{ mode: 'url', elicitationId: offer.elicitationId, url: offer.url, message }],
    });
  } catch (offerError) {
    log.warn(`could not start a login for the client: ${(offerError as Error).message}`, { upstream: data.upstream, session: session.label });
    return error;
  }
}
