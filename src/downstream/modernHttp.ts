// 2026-07-28 clients over HTTP: no Mcp-Session-Id and no GET stream. Each request is served on
// its own by a fresh MCP server from the SDK's createMcpHandler, which checks the headers
// against the body, the protocol version and the `_meta` the request must carry. Behind those
// servers the client's ClientSession lives on, one per path, identity and client name, so that
// upstream connections are not opened per request; it ends after sessionIdleMs without one
// (unusedSessionIdleMs while it has only listed: it holds its own upstream processes).
import { toNodeHandler } from '@modelcontextprotocol/node';
import { CLIENT_INFO_META_KEY, PROTOCOL_VERSION_META_KEY, createMcpHandler } from '@modelcontextprotocol/server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { log } from '../log.js';
import type { ClientSession } from '../session/session.js';
import type { Caller } from '../upstream/oauth/upstreamAuth.js';
import { ErrorStatuses } from './modernStatus.js';
import { recordExchanges } from '../vcon/exchanges.js';

/** True for a POST body (or header) that claims the 2026-07-28 era: `_meta` carries the protocol version. */
export function claimsModernEra(body: unknown, protocolHeader: string | string[] | undefined): boolean {
  const meta = (body as { params?: { _meta?: Record<string, unknown> } } | undefined)?.params?._meta;
  if (!Array.isArray(body) && meta && meta[PROTOCOL_VERSION_META_KEY] !== undefined) return true;
  return typeof protocolHeader === 'string' && protocolHeader >= '2026-07-28';
}

interface ModernClient {
  session: ClientSession;
  serve: ReturnType<typeof toNodeHandler>;
  close: () => Promise<void>;
  idle?: NodeJS.Timeout;
  /** Requests being served (a subscriptions/listen stream stays one while open): no idle end meanwhile. */
  busy: number;
  /** The person's newest incoming access token (server.auth): the one a token exchange uses. */
  accessToken?: string;
}

export class ModernHttpClients {
  private readonly clients = new Map<string, ModernClient>();
  private started = 0;
  private readonly statuses = new ErrorStatuses();

  constructor(
    private readonly idleMs: number,
    private readonly unusedIdleMs: number,
    private readonly newSession: (label: string, profile?: string, caller?: Caller) => ClientSession,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    who: { path: string; subject?: string; profile?: string; accessToken?: string },
  ): Promise<void> {
    const info = (body as { params?: { _meta?: Record<string, unknown> } } | undefined)?.params?._meta?.[CLIENT_INFO_META_KEY] as { name?: unknown } | undefined;
    const key = JSON.stringify([who.path, who.subject ?? '', typeof info?.name === 'string' ? info.name : '']);
    const client = this.clients.get(key) ?? this.open(key, who.profile, who.subject);
    if (who.accessToken) client.accessToken = who.accessToken;
    clearTimeout(client.idle);
    client.busy++;
    // A listen holds its upstream subscriptions before it is acknowledged, and until its stream ends.
    const listening = await client.session.listens.hold(body).catch(() => undefined);
    try {
      await client.serve(req, res, body);
    } finally {
      void listening?.();
      if (--client.busy === 0) {
        client.idle = setTimeout(() => void this.end(key, 'idle'), client.session.used ? this.idleMs : Math.min(this.idleMs, this.unusedIdleMs));
        client.idle.unref();
      }
    }
  }

  private open(key: string, profile: string | undefined, subject: string | undefined): ModernClient {
    // The session is one person's (its key holds the subject): `credentials: perUser` upstreams use their login.
    const caller: Caller | undefined = subject === undefined ? undefined : { subject, incomingToken: () => client.accessToken };
    const session = this.newSession(`http-modern-${++this.started}`, profile, caller);
    // Each request's server: its error statuses watched (404, 400), its exchange recorded in the client's vCon.
    const handler = createMcpHandler((context) => this.statuses.watch(recordExchanges(session.newServer(), session.recorder), context?.requestInfo), {
      legacy: 'reject',
      onerror: (error) => log.debug(`2026-07-28 request refused: ${error.message}`, { session: session.label }),
    });
    // Change notifications reach the client's listen streams through the handler's bus (session/listen.ts).
    session.listens.bus = handler.bus;
    const client: ModernClient = { session, serve: toNodeHandler(this.statuses.wrap(handler)), close: () => handler.close(), busy: 0 };
    this.clients.set(key, client);
    log.info('2026-07-28 client session opened', { session: session.label });
    return client;
  }

  private async end(key: string, reason: string): Promise<void> {
    const client = this.clients.get(key);
    if (!client) return;
    this.clients.delete(key);
    clearTimeout(client.idle);
    log.info(`2026-07-28 client session ended (${reason})`, { session: client.session.label });
    await client.close().catch(() => {});
    await client.session.close();
  }

  async endAll(): Promise<void> {
    await Promise.all([...this.clients.keys()].map((key) => this.end(key, 'shutdown')));
  }
}
