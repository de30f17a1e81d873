// The shapes the recorder works with: vCon objects (IETF vCon core, syntax "0.4.0") and the
// journal entries a session's messages become on their way to a vCon.
import type { RequestId } from '@modelcontextprotocol/server';

export interface Implementation {
  name: string;
  version?: string;
}

export interface VconParty {
  name?: string;
  type?: 'person' | 'bot' | 'organization';
  tel?: string;
  mailto?: string;
  uuid?: string;
  meta?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface VconDialog {
  type: 'text' | 'recording' | 'recording-set' | 'transfer' | 'incomplete';
  start: string;
  parties?: number | number[];
  originator?: number;
  mediatype?: string;
  encoding?: 'none' | 'base64url' | 'json';
  body?: string;
  meta?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface VconAnalysis {
  type: string;
  vendor: string;
  dialog?: number | number[];
  product?: string;
  schema?: string;
  mediatype?: string;
  encoding?: 'none' | 'base64url' | 'json';
  body?: string;
  [key: string]: unknown;
}

export interface VconAttachment {
  purpose?: string;
  start: string;
  party: number;
  dialog: number;
  mediatype?: string;
  encoding?: 'none' | 'base64url' | 'json';
  body?: string;
  [key: string]: unknown;
}

export interface Vcon {
  vcon: '0.4.0';
  uuid: string;
  created_at: string;
  updated_at?: string;
  subject?: string;
  extensions?: string[];
  amended?: { uuid: string };
  parties: VconParty[];
  dialog?: VconDialog[];
  analysis?: VconAnalysis[];
  attachments?: VconAttachment[];
  [key: string]: unknown;
}

/** Which way a message crossed the client's transport: from the client, or to it. */
export type Direction = 'in' | 'out';

export type McpType = 'request' | 'response' | 'notification' | 'error';

/** One line of a session's journal (JSON Lines, append-only). */
export type JournalEntry =
  | StartEntry
  | MessageEntry
  | RouteEntry
  | PartyEntry
  | { t: 'client'; info: Implementation; protocolVersion?: string }
  | { t: 'session'; mcpSessionId: string }
  | { t: 'end'; at: number };

export interface StartEntry {
  t: 'start';
  uuid: string;
  at: number;
  /** The proxy's (or wrapped server's) name, as in VCON_SERVER_NAME / server.name. */
  serverName: string;
  /** The configured upstream keys, for the `upstreams:` tag. */
  upstreams: string[];
  tags: Record<string, string>;
  addAnalysis: boolean;
  /** Longer bodies are cut in the vCon, with their size and hash in meta. */
  maxInlineContentSize: number;
  /** The vCon this one continues (maxMessages reached, or idle and then active again). */
  amended?: string;
  /** In library mode every message is between the client and this one server. */
  defaultParty?: string;
}

export interface MessageEntry {
  t: 'msg';
  at: number;
  dir: Direction;
  /** The message after the capture rules: as an object, or as JSON text once redacted. */
  message?: unknown;
  body?: string;
  kind: McpType;
  method?: string;
  id?: RequestId;
  /** The upstream that sent it (proxy → client traffic), when known at send time. */
  origin?: string;
  /** For proxy → client messages sent during a client request: that request's id. */
  related?: RequestId;
  /** For a client notifications/cancelled: the request it cancels. */
  cancels?: RequestId;
  /** tools/list responses: how many tools the page held; `first` when the request had no cursor. */
  listed?: { count: number; first: boolean };
  /** The outer proxy's vCon uuid, from `_meta` of a request (chains). */
  parentVcon?: string;
}

/** Where a client request went: which upstream, under which name, with which upstream id. */
export interface RouteEntry {
  t: 'route';
  id: RequestId;
  upstream: string;
  original?: string;
  /** The exposed tool name, when the client called it through call_tool (tool search). */
  exposed?: string;
  upstreamId?: RequestId;
}

export interface PartyEntry {
  t: 'party';
  key: string;
  info?: Implementation;
}

/** The `_meta` key that carries a session's vCon uuid to upstreams (chains of proxies). */
export const CHAIN_META_KEY = 'mcproxy/vcon_uuid';
