// The Streamable HTTP listener: one stateful MCP session per client, keyed by Mcp-Session-Id;
// a 2026-07-28 request (its `_meta` names the version) goes to modernHttp.ts instead. A session's
// plain POSTs are answered by sessionTransport.ts (JSON when the answer comes at once).
// POST without a session id must be an initialize (a new session); GET opens a session's
// standalone stream; DELETE ends it; an unknown or ended id gets 404. Sessions, their idle
// expiry and their resumable stream events live in sessions.ts and eventStore.ts.
import { isInitializeRequest, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { log } from '../log.js';
import type { ClientSession } from '../session/session.js';
import type { Caller } from '../upstream/oauth/upstreamAuth.js';
import { EventBudget } from './eventStore.js';
import { reply, runFilters, type HttpFilter, type RequestContext } from './filters.js';
import { checkHostAndOrigin, hostPolicy } from './hostPolicy.js';
import { profileFor } from './auth/identity.js';
import { viewAtPath } from './profilePaths.js';
import { SessionRegistry } from './sessions.js';
import { serveExchange } from './webExchange.js';
import { HttpSessionTransport } from './sessionTransport.js';
import { claimsModernEra, ModernHttpClients } from './modernHttp.js';
import { LEGACY_PROTOCOL, MODERN_PROTOCOL } from '../config/erasSchema.js';

export interface HttpListenerOptions {
  host: string;
  port: number;
  path: string;
  allowedHosts?: string[];
  allowedOrigins?: string[];
  /** Run on every request before it reaches a session (auth, limits, the JSON body): see filters.ts. */
  filters: HttpFilter[];
  /** Profiles served at `<path>/<name>`. */
  profiles?: readonly string[];
  /** The profile the plain path serves (undefined: the full view). */
  defaultProfile?: string;
  /** A session with no request and no open stream for this long ends. */
  sessionIdleMs: number;
  /** The same for a session that never used a tool, prompt or resource (a client that only looked). */
  unusedSessionIdleMs: number;
  /** Stream events kept for Last-Event-ID, and the `retry:` clients are told. */
  resumption: { maxEventsPerSession: number; maxEvents: number; retryMs: number };
  /** The protocol versions clients may speak (server.protocols). */
  protocols: readonly string[];
}

/** Opens a session for a client: `profile` names its view (undefined: the default view). */
export type NewSession = (label: string, profile?: string, caller?: Caller) => ClientSession;

export interface HttpListener {
  url: string;
  sessionCount(): number;
  /** Shutdown begins: no new connections or sessions; requests on open sessions still reach them (which refuse new calls). */
  stopAccepting(): void;
  close(): Promise<void>;
}

export async function startHttpListener(options: HttpListenerOptions, newSession: NewSession): Promise<HttpListener> {
  const sessions = new SessionRegistry(options.sessionIdleMs, options.unusedSessionIdleMs);
  /** Each session's latest incoming OAuth access token (see Caller). */
  const incomingTokens = new WeakMap<ClientSession, string>();
  const { resumption } = options;
  const events = new EventBudget(resumption.maxEvents);
  let started = 0;
  const policy = hostPolicy(options.host, options.allowedHosts, options.allowedOrigins);
  let endpoint: URL;
  const modern = options.protocols.includes(MODERN_PROTOCOL) ? new ModernHttpClients(options.sessionIdleMs, options.unusedSessionIdleMs, newSession) : undefined;
  let accepting = true;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refusal = checkHostAndOrigin(policy, req.headers.host, req.headers.origin);
    if (refusal) return reply(res, 403, -32000, refusal);
    const sessionId = req.headers['mcp-session-id'];
    const context: RequestContext = { url, endpoint, sessionId: typeof sessionId === 'string' ? sessionId : undefined, sessionCount: sessions.size };
    if (!(await runFilters(options.filters, req, res, context))) return;
    const view = viewAtPath(url.pathname, options.path, options.profiles ?? []);
    if (!view) return reply(res, 404, -32601, `Not found: ${url.pathname}`);
    const entitled = profileFor(context.identity, view.profile, options.defaultProfile, options.profiles ?? []);
    if ('refused' in entitled) return reply(res, 403, -32000, entitled.refused);
    const body = context.body;

    if (typeof sessionId === 'string') {
      const live = sessions.get(sessionId);
      // A session id is valid only at the path (the profile) it was opened on, and for whoever opened it.
      if (!live || live.path !== url.pathname || live.subject !== context.identity?.subject) {
        return reply(res, 404, -32001, `Session not found: ${sessionId}`);
      }
      sessions.hold(sessionId, res);
      // The person's newest token is the one a token exchange uses.
      if (context.accessToken) incomingTokens.set(live.session, context.accessToken);
      return live.transport.serve(req, res, body);
    }

    if (!accepting) return reply(res, 503, -32000, 'mcproxy is shutting down');
    // A 2026-07-28 request is served without a session; initialize keeps the sessionful path.
    if (modern && req.method === 'POST' && claimsModernEra(body, req.headers['mcp-protocol-version'])) {
      return modern.handle(req, res, body, { path: url.pathname, subject: context.identity?.subject, profile: entitled.profile, accessToken: context.accessToken });
    }
    if (!options.protocols.includes(LEGACY_PROTOCOL)) {
      const error = { code: -32022, message: `Unsupported protocol version: this server speaks ${options.protocols.join(', ')}`, data: { supported: options.protocols } };
      return void res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error }));
    }
    if (req.method !== 'POST') return reply(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    const messages = Array.isArray(body) ? body : [body];
    if (!messages.some((message) => isInitializeRequest(message))) {
      return reply(res, 400, -32000, 'Bad Request: no Mcp-Session-Id header, and the body is not an initialize request');
    }
    const identity = context.identity;
    const caller: Caller | undefined = identity && { subject: identity.subject, incomingToken: () => incomingTokens.get(session) };
    const session = newSession(`http-${++started}`, entitled.profile, caller);
    if (context.accessToken) incomingTokens.set(session, context.accessToken);
    const store = events.store(resumption.maxEventsPerSession);
    const sdkTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore: store,
      retryInterval: resumption.retryMs,
      onsessioninitialized: (id) => sessions.add({ id, transport, session, events: store, path: url.pathname, subject: context.identity?.subject }),
      onsessionclosed: (id) => sessions.markDeleted(id),
    });
    const transport = new HttpSessionTransport(sdkTransport);
    await session.connect(transport);
    await serveExchange(sdkTransport, req, res, body);
  }

  const server: HttpServer = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      log.error(`HTTP request failed: ${error.stack ?? error.message}`);
      if (!res.headersSent) reply(res, 500, -32603, 'Internal error');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostForUrl}:${address.port}${options.path}`;
  endpoint = new URL(url);
  log.info(`listening on ${url}`);

  return {
    url,
    sessionCount: () => sessions.size,
    stopAccepting() {
      accepting = false;
      server.close();
    },
    async close() {
      await sessions.endAll('shutdown');
      await modern?.endAll();
      server.closeAllConnections();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
