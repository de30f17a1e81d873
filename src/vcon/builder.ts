// Journal entries → one vCon. Pure: no I/O, no clock; unit-tested on plain entries.
//
// Party 0 is the client; each upstream that the client's traffic reached, or that spoke, gets a
// party in order of first appearance. Every message is one `text` dialog: a client request the
// proxy routed to upstream B is [0, B] and B's answer [B, 0]; what B sends on its own or during
// a call (progress, logs, sampling) is [B, 0] and the client's answer [0, B]; what the proxy
// answers itself (initialize, aggregated lists, ping) is [0].
import type { RequestId } from '@modelcontextprotocol/server';
import { inlineBody } from './capture.js';
import type { Implementation, JournalEntry, MessageEntry, RouteEntry, StartEntry, Vcon, VconDialog } from './types.js';

export const VCON_VENDOR = 'mcproxy';
export const SUMMARY_SCHEMA = 'mcproxy-session-summary-v1';

/** What a request and everything that belongs to it (its answer, progress, cancellation) share. */
interface Exchange {
  route?: Omit<RouteEntry, 't' | 'id'>;
  /** For proxy → client requests: the upstream that asked. */
  origin?: string;
}

export class VconBuilder {
  /** The vCon of a journal; undefined when it holds no start or no message (nothing to keep). */
  build(entries: readonly JournalEntry[]): Vcon | undefined {
    const start = entries.find((entry): entry is StartEntry => entry.t === 'start');
    const messages = entries.filter((entry): entry is MessageEntry => entry.t === 'msg');
    if (!start || messages.length === 0) return undefined;

    let client: Implementation | undefined;
    let protocolVersion: string | undefined;
    let mcpSessionId: string | undefined;
    const serverInfo = new Map<string, Implementation | undefined>();
    const exchanges = this.exchanges(entries);
    for (const entry of entries) {
      if (entry.t === 'client') ({ info: client, protocolVersion } = entry);
      if (entry.t === 'session') mcpSessionId = entry.mcpSessionId;
      if (entry.t === 'party' && (entry.info || !serverInfo.has(entry.key))) serverInfo.set(entry.key, entry.info);
    }

    const parties: Vcon['parties'] = [
      {
        name: client?.name ?? 'mcp-client',
        type: 'bot',
        meta: { mcp_role: 'client', ...(client && { client_info: client }), ...(protocolVersion && { protocol_version: protocolVersion }) },
      },
    ];
    const partyIndex = new Map<string, number>();
    const partyOf = (key: string): number => {
      let index = partyIndex.get(key);
      if (index === undefined) {
        index = parties.length;
        partyIndex.set(key, index);
        const info = serverInfo.get(key);
        parties.push({ name: key, type: 'bot', meta: { mcp_role: 'server', server_id: key, ...(info && { server_info: info }) } });
      }
      return index;
    };

    const dialog: VconDialog[] = messages.map((entry) => {
      const exchange = exchanges.get(entry);
      const upstream = exchange?.route?.upstream ?? exchange?.origin ?? entry.origin ?? start.defaultParty;
      const party = upstream === undefined ? undefined : partyOf(upstream);
      const fromClient = entry.dir === 'in';
      const between = party === undefined ? [0] : fromClient ? [0, party] : [party, 0];
      const meta: Record<string, unknown> = { mcp_type: entry.kind };
      if (entry.method !== undefined) meta.mcp_method = entry.method;
      if (entry.id !== undefined) meta.request_id = entry.id;
      if (upstream !== undefined) meta.upstream = upstream;
      if (exchange?.route?.exposed !== undefined) meta.tool_name = exchange.route.exposed;
      if (exchange?.route?.original !== undefined) meta.original_name = exchange.route.original;
      if (exchange?.route?.upstreamId !== undefined) meta.upstream_request_id = exchange.route.upstreamId;
      if (entry.parentVcon !== undefined) meta.parent_vcon = entry.parentVcon;
      const { body, truncated } = inlineBody(entry, start.maxInlineContentSize);
      if (truncated) Object.assign(meta, { truncated: true, original_size: truncated.originalSize, content_hash: truncated.contentHash });
      return {
        type: 'text',
        start: isoTime(entry.at),
        parties: between,
        originator: between[0],
        mediatype: 'application/json',
        encoding: 'none',
        body,
        meta,
      };
    });

    const last = entries.reduce((latest, entry) => ('at' in entry ? Math.max(latest, entry.at) : latest), start.at);
    const clientName = client?.name ?? 'MCP client';
    const vcon: Vcon = {
      vcon: '0.4.0',
      uuid: start.uuid,
      created_at: isoTime(start.at),
      updated_at: isoTime(last),
      subject: `MCP session: ${clientName} via ${start.serverName}`,
      extensions: [],
      ...(start.amended && { amended: { uuid: start.amended } }),
      parties,
      dialog,
    };
    if (start.addAnalysis) vcon.analysis = [this.summary(messages, dialog, start.at, last)];
    vcon.attachments = [
      {
        purpose: 'tags',
        start: isoTime(start.at),
        party: 0,
        dialog: 0,
        mediatype: 'application/json',
        encoding: 'json',
        body: JSON.stringify(this.tags(start, messages, mcpSessionId)),
      },
    ];
    return vcon;
  }

  /** Compact JSON: long sessions make big vCons (`mcproxy vcon show` is for reading them). */
  toJson(vcon: Vcon): string {
    return JSON.stringify(vcon) + '\n';
  }

  /** Links each message to the request it belongs to, and that request's route. */
  private exchanges(entries: readonly JournalEntry[]): Map<MessageEntry, Exchange> {
    const byMessage = new Map<MessageEntry, Exchange>();
    const fromClient = new Map<RequestId, Exchange>();
    const toClient = new Map<RequestId, Exchange>();
    for (const entry of entries) {
      if (entry.t === 'route') {
        const exchange = fromClient.get(entry.id);
        if (exchange) exchange.route = { ...exchange.route, ...withoutUndefined({ original: entry.original, exposed: entry.exposed, upstreamId: entry.upstreamId }), upstream: entry.upstream };
        continue;
      }
      if (entry.t !== 'msg') continue;
      let exchange: Exchange | undefined;
      if (entry.kind === 'request' && entry.id !== undefined) {
        exchange = entry.dir === 'in' ? {} : { origin: entry.origin ?? (entry.related !== undefined ? fromClient.get(entry.related)?.route?.upstream : undefined) };
        (entry.dir === 'in' ? fromClient : toClient).set(entry.id, exchange);
      } else if ((entry.kind === 'response' || entry.kind === 'error') && entry.id !== undefined) {
        const requests = entry.dir === 'out' ? fromClient : toClient;
        exchange = requests.get(entry.id);
        requests.delete(entry.id);
      } else if (entry.related !== undefined) {
        exchange = fromClient.get(entry.related);
      } else if (entry.cancels !== undefined) {
        exchange = (entry.dir === 'in' ? fromClient : toClient).get(entry.cancels);
      }
      if (exchange) byMessage.set(entry, exchange);
    }
    return byMessage;
  }

  private summary(messages: MessageEntry[], dialog: VconDialog[], from: number, to: number): NonNullable<Vcon['analysis']>[number] {
    const methods: Record<string, number> = {};
    const upstreams: Record<string, number> = {};
    let toolCalls = 0;
    let errors = 0;
    messages.forEach((entry, index) => {
      // Requests and notifications by method; a response is counted with its request.
      if ((entry.kind === 'request' || entry.kind === 'notification') && entry.method) methods[entry.method] = (methods[entry.method] ?? 0) + 1;
      const upstream = dialog[index].meta?.upstream as string | undefined;
      if (upstream !== undefined) upstreams[upstream] = (upstreams[upstream] ?? 0) + 1;
      if (entry.kind === 'request' && entry.dir === 'in' && entry.method === 'tools/call') toolCalls++;
      if (entry.kind === 'error') errors++;
    });
    const body = { message_count: messages.length, methods, upstreams, tool_calls: toolCalls, errors, duration_ms: to - from };
    return {
      type: 'session_summary',
      dialog: dialog.map((_, index) => index),
      vendor: VCON_VENDOR,
      product: 'mcproxy',
      schema: SUMMARY_SCHEMA,
      mediatype: 'application/json',
      encoding: 'json',
      body: JSON.stringify(body),
    };
  }

  private tags(start: StartEntry, messages: MessageEntry[], mcpSessionId: string | undefined): string[] {
    let toolCount = 0;
    for (const entry of messages) {
      if (entry.listed) toolCount = entry.listed.first ? entry.listed.count : toolCount + entry.listed.count;
    }
    const parents = [...new Set(messages.flatMap((entry) => (entry.parentVcon ? [entry.parentVcon] : [])))];
    return [
      'source:mcproxy',
      `server_name:${start.serverName}`,
      `upstreams:${start.upstreams.join(',')}`,
      `tool_count:${toolCount}`,
      ...(mcpSessionId ? [`mcp_session_id:${mcpSessionId}`] : []),
      ...parents.map((uuid) => `parent_vcon:${uuid}`),
      ...Object.entries(start.tags).map(([key, value]) => `${key}:${value}`),
    ];
  }
}

/** RFC 3339 with milliseconds, UTC. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
