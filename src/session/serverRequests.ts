// Upstream → client: sampling, elicitation and roots requests go to the client of the session
// the upstream serves, and the client's answer goes back. Cancellation crosses too: when the
// upstream cancels, the signal aborts, and the SDK tells the client.
import type { ClientCapabilities, JSONRPCRequest, Result } from '@modelcontextprotocol/server';
import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import type { CallContext } from '../upstream/attachments.js';
import type { UpstreamConnection } from '../upstream/connection.js';
import { asClientError, ForwardedError } from '../upstream/errors.js';
import { LooseResult } from '../upstream/looseSchemas.js';
import type { ClientSession } from './session.js';

/** The client capability each server→client request needs. */
export const REQUIRED_CAPABILITY: Record<string, keyof ClientCapabilities> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

/** A person may be answering (elicitation, sampling review): the upstream's own patience is what counts. */
const CLIENT_ANSWER_TIMEOUT_MS = 60 * 60_000;

export async function forwardToClient(
  session: ClientSession,
  upstream: UpstreamConnection,
  request: JSONRPCRequest,
  signal: AbortSignal,
  call?: CallContext,
): Promise<Result> {
  // A 2026-07-28 client takes no requests: the call's bridge asks it in an input_required result (inputRequired.ts).
  if (call?.askClient) return call.askClient({ method: request.method, params: request.params }, signal);
  const needed = REQUIRED_CAPABILITY[request.method];
  if (needed && !session.clientCapabilities()?.[needed]) {
    throw new ForwardedError(
      ProtocolErrorCode.MethodNotFound,
      `The client did not declare the '${needed}' capability, so mcproxy cannot forward ${request.method} from upstream '${upstream.name}'`,
    );
  }
  const message = { method: request.method, params: request.params };
  const options = { signal, timeout: CLIENT_ANSWER_TIMEOUT_MS };
  try {
    // During a call, the request travels with it (on Streamable HTTP: the call's own stream).
    return await (call ? call.sendRequest(message, options) : session.server.request(message as never, LooseResult, options));
  } catch (error) {
    // The client's own error goes back to the upstream as the client said it.
    throw asClientError(error);
  }
}
