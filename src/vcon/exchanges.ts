// A 2026-07-28 client over HTTP has no session: each request is served by a server of its own
// on a per-request transport (downstream/modernHttp.ts). Those transports are tapped into the
// recorder of the client's ClientSession, so that one vCon holds the client's traffic per idle
// window, with the same parties and dialogs as a 2025-11-25 session's.
import type { Server } from '@modelcontextprotocol/server';
import type { SessionRecorder } from './recorder.js';

/** `server`, whose transport (one request's) is recorded by `recorder` when there is one. */
export function recordExchanges(server: Server, recorder: SessionRecorder | undefined): Server {
  if (!recorder) return server;
  const connect = server.connect.bind(server);
  server.connect = (transport) => connect(recorder.wrapExchange(transport));
  return server;
}
