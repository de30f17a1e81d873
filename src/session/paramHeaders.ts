// `Mcp-Param-*` headers on the two sides of a tools/call (see catalog/paramHeaders.ts): a
// 2026-07-28 client's headers are checked against its arguments under the tool as this client
// sees it (renamed, pins hidden); the call upstream carries the headers of the upstream's own
// schema, computed from the arguments it is sent (pins included).
import { PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/server';
import type { ServerContext, Tool } from '@modelcontextprotocol/server';
import { paramHeaderDeclarations, paramHeaderMismatch, paramHeadersFor, type ParamHeader } from '../catalog/paramHeaders.js';
import type { UpstreamConnection } from '../upstream/connection.js';
import { ForwardedError } from '../upstream/errors.js';

/** The spec's HeaderMismatch code. */
export const HEADER_MISMATCH = -32020;

/** A client's Mcp-Param-* header that its body contradicts: HTTP 400 on the modern endpoint (modernHttp.ts). */
export class ParamHeaderMismatchError extends ForwardedError {
  constructor(header: string, problem: string) {
    super(HEADER_MISMATCH, `Bad Request: the request headers and body disagree: ${problem}`, { mismatch: { header, body: problem } });
  }
}

/** Declarations per tools list: a catalog or listing is rebuilt, never changed, so they are worked out once. */
const declared = new WeakMap<readonly Tool[], Map<string, readonly ParamHeader[]>>();

function declarationsOf(tools: readonly Tool[], name: string): readonly ParamHeader[] {
  let byName = declared.get(tools);
  if (!byName) declared.set(tools, (byName = new Map()));
  let found = byName.get(name);
  if (!found) {
    const scan = paramHeaderDeclarations(tools.find((tool) => tool.name === name)?.inputSchema);
    found = 'headers' in scan ? scan.headers : [];
    byName.set(name, found);
  }
  return found;
}

/**
 * Refuses a 2026-07-28 HTTP call whose Mcp-Param-* headers disagree with its arguments. Other
 * requests (stdio, 2025-11-25 sessions) carry no such headers and pass.
 */
export function checkParamHeaders(tools: readonly Tool[], params: Record<string, unknown>, extra: ServerContext): void {
  const request = extra.http?.req;
  const envelope = extra.mcpReq.envelope as Record<string, unknown> | undefined;
  if (!request || typeof envelope?.[PROTOCOL_VERSION_META_KEY] !== 'string' || typeof params.name !== 'string') return;
  const declarations = declarationsOf(tools, params.name);
  if (declarations.length === 0) return;
  const mismatch = paramHeaderMismatch(declarations, params.arguments, (name) => request.headers.get(name) ?? undefined);
  if (mismatch) throw new ParamHeaderMismatchError(mismatch.header, mismatch.problem);
}

/**
 * The Mcp-Param-* headers of a call upstream, from the upstream's own definition of the tool
 * (its listing is cached). Transports without per-request headers (stdio) ignore them.
 */
export async function upstreamParamHeaders(connection: UpstreamConnection, tool: string, args: unknown): Promise<Record<string, string> | undefined> {
  const listing = await connection.listing().catch(() => undefined);
  const declarations = listing ? declarationsOf(listing.tools, tool) : [];
  return declarations.length === 0 ? undefined : paramHeadersFor(declarations, args);
}
