// Remote upstreams: Streamable HTTP, and the legacy HTTP+SSE transport. Requests go through
// undici's pooled keep-alive agent, so a busy upstream does not pay a TCP handshake per call.
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { Agent, fetch as undiciFetch } from 'undici';
import type { RemoteUpstreamConfig } from '../../config/schema.js';

// SSE streams stay open for the life of a connection: no body timeout on them.
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 64, bodyTimeout: 0 });

const pooledFetch: FetchLike = (url, init) =>
  undiciFetch(url, { ...(init as object), dispatcher: agent } as never) as unknown as Promise<Response>;

export function createStreamableHttpTransport(config: RemoteUpstreamConfig): StreamableHTTPClientTransport {
  return new StreamableHTTPClientTransport(new URL(config.url), {
    requestInit: { headers: config.headers },
    fetch: pooledFetch,
  });
}

export function createSseTransport(config: RemoteUpstreamConfig): SSEClientTransport {
  return new SSEClientTransport(new URL(config.url), {
    requestInit: { headers: config.headers },
    // The SSE GET needs the same headers (Authorization) as the POSTs.
    eventSourceInit: { fetch: (url, init) => pooledFetch(url, { ...init, headers: { ...(init?.headers as object), ...config.headers } }) },
    fetch: pooledFetch,
  });
}
