// The requestState mcproxy hands a 2026-07-28 client with an `input_required` result, read back
// when the client retries. It goes through the client, so it is signed (HMAC-SHA256 with
// `server.stateKey`, random per process when unset) and bound to who the client is: a client
// cannot forge it, change it, or replay another client's. Instances sharing the key accept each
// other's state, so a relayed retry may land on any of them.
import { randomBytes } from 'node:crypto';
import { createRequestStateCodec, type RequestStateCodec, type ServerContext } from '@modelcontextprotocol/server';

/** What mcproxy keeps in a requestState: where the retry goes, and what to tell the upstream there. */
export interface ProxyState {
  /** The upstream (its config name) the call went to. */
  upstream: string;
  /** The upstream's own requestState, echoed to it on the retry. */
  state?: string;
  /** A legacy upstream's call waiting in this process for the client's answers (inputRequired.ts). */
  parked?: string;
  /** How many rounds the call has had: an upstream that keeps asking is stopped (inputRequired.ts). */
  round?: number;
}

/** How long a client may take to answer: a person may be filling in a form. */
export const STATE_TTL_SECONDS = 600;

const PROCESS_KEY = randomBytes(32);

/**
 * A codec whose state binds to `identity()` (the authenticated subject and the client's name)
 * and to the method: a state minted for one is refused for another (-32602).
 */
export function requestStateCodec(stateKey: string | undefined, identity: (ctx: ServerContext) => string): RequestStateCodec<ProxyState> {
  return createRequestStateCodec<ProxyState>({
    key: stateKey ?? PROCESS_KEY,
    ttlSeconds: STATE_TTL_SECONDS,
    bind: (ctx) => `${identity(ctx)}\0${ctx.mcpReq.method}`,
  });
}
