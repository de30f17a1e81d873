// Remote upstreams: Streamable HTTP, and the legacy HTTP+SSE transport. Each transport gets
// its own ConnectionFetch (its own keep-alive pools and bounds), released when it closes.
import { SSEClientTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Transport } from '@modelcontextprotocol/client';
import type { RemoteUpstreamConfig } from '../../config/schema.js';
import { ConnectionFetch } from './connectionFetch.js';
import type { UpstreamAuth } from '../oauth/upstreamAuth.js';

/**
 * A dropped stream that had event ids is resumed with Last-Event-ID (the SDK does that); these
 * are its waits when the server gave no `retry:`, with more attempts than the SDK's 2.
 */
const RECONNECTION = { initialReconnectionDelay: 500, maxReconnectionDelay: 10_000, reconnectionDelayGrowFactor: 2, maxRetries: 5 };

export interface RemoteTransport {
  transport: Transport;
  http: ConnectionFetch;
}

/** `auth`: the upstream's OAuth (src/upstream/oauth), which adds its token to every request. */
export function createStreamableHttpTransport(name: string, config: RemoteUpstreamConfig, auth?: UpstreamAuth): RemoteTransport {
  const http = new ConnectionFetch(name, config);
  const transport = new StreamableHTTPClientTransport(new URL(config.url), {
    requestInit: { headers: config.headers },
    fetch: auth ? auth.wrap(http.fetch) : http.fetch,
    reconnectionOptions: RECONNECTION,
  });
  return { transport: releasingOnClose(endingSessionOnClose(transport), http), http };
}

/** How long closing waits for the upstream to confirm the end of its session. */
const SESSION_END_WAIT_MS = 2_000;

/**
 * Closing also ends the upstream's session with DELETE, as the spec asks of a client that is
 * done: the server (a mcproxy further down a chain, say) then frees it at once instead of
 * after its idle timeout. Bounded, so a hung upstream cannot hold a closing session.
 */
function endingSessionOnClose(transport: StreamableHTTPClientTransport): StreamableHTTPClientTransport {
  const close = transport.close.bind(transport);
  transport.close = async () => {
    if (transport.sessionId !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, SESSION_END_WAIT_MS)));
      await Promise.race([transport.terminateSession().catch(() => {}), waited]);
      clearTimeout(timer);
    }
    await close();
  };
  return transport;
}

export function createSseTransport(name: string, config: RemoteUpstreamConfig, auth?: UpstreamAuth): RemoteTransport {
  const http = new ConnectionFetch(name, config);
  const fetch = auth ? auth.wrap(http.fetch) : http.fetch;
  const transport = new SSEClientTransport(new URL(config.url), {
    requestInit: { headers: config.headers },
    // The SSE GET needs the same headers (Authorization) as the POSTs.
    eventSourceInit: { fetch: (url, init) => fetch(url, { ...init, headers: { ...(init?.headers as object), ...config.headers } }) },
    fetch,
  });
  return { transport: releasingOnClose(transport, http), http };
}

/** Closing the transport also closes its sockets. */
function releasingOnClose<T extends Transport>(transport: T, http: ConnectionFetch): T {
  const close = transport.close.bind(transport);
  transport.close = async () => {
    try {
      await close();
    } finally {
      await http.close();
    }
  };
  return transport;
}
