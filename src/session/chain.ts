// Proxies of proxies, and loops among them. Every mcproxy passes the chain of proxies it sits
// in to its upstreams, in the one place both transports carry from client to server: the
// initialize request's `capabilities.experimental["io.github.mcproxy/chain"]`. A proxy that
// finds itself in the chain refuses the initialize (so it opens none of its upstreams), and
// the proxy before it does not retry: the loop ends after one extra process at most.
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import type { Server, ClientCapabilities, InitializeResult } from '@modelcontextprotocol/server';
import { hostname } from 'node:os';
import { shortHash } from '../catalog/names.js';
import type { ProxyConfig } from '../config/schema.js';

export const CHAIN_CAPABILITY = 'io.github.mcproxy/chain';

/** Marks the refusal, so that the proxy on the other side knows not to reconnect. */
export const LOOP_REFUSAL = 'mcproxy proxy loop refused';

/** One proxy in a chain: a stable id and a label a user recognises. */
export interface ProxyIdentity {
  id: string;
  label: string;
}

/**
 * A proxy is its config file on its machine: a copy of itself launched by a child proxy (stdio)
 * and itself reached over HTTP both carry the same id.
 */
export function proxyIdentity(config: ProxyConfig): ProxyIdentity {
  // Once per config: a 2026-07-28 call asks for it twice, and a hostname and a hash each time were ~2.5 % of such a call's CPU in the proxy.
  let identity = identities.get(config);
  if (!identity) identities.set(config, (identity = { id: shortHash(`${hostname()}\0${config.file}`), label: `${config.server.name} (${config.file})` }));
  return identity;
}
const identities = new WeakMap<ProxyConfig, ProxyIdentity>();

/** The chain a client's initialize carried; [] for clients that are not proxies. */
export function chainOf(capabilities: ClientCapabilities | undefined): ProxyIdentity[] {
  const carried = (capabilities?.experimental?.[CHAIN_CAPABILITY] as { proxies?: unknown } | undefined)?.proxies;
  if (!Array.isArray(carried)) return [];
  return carried.filter(
    (entry): entry is ProxyIdentity => entry !== null && typeof entry === 'object' && typeof entry.id === 'string' && typeof entry.label === 'string',
  );
}

/** `capabilities` plus the chain to hand on to upstreams. */
export function withChain(capabilities: ClientCapabilities | undefined, chain: readonly ProxyIdentity[]): ClientCapabilities {
  return { ...capabilities, experimental: { ...capabilities?.experimental, [CHAIN_CAPABILITY]: { proxies: chain.map(({ id, label }) => ({ id, label })) } } };
}

/** The refusal message when `self` is already in `chain`, naming the whole loop; else undefined. */
export function loopRefusal(chain: readonly ProxyIdentity[], self: ProxyIdentity): string | undefined {
  const start = chain.findIndex((entry) => entry.id === self.id);
  if (start < 0) return undefined;
  const loop = [...chain.slice(start), self].map((entry) => entry.label).join(' → ');
  return `${LOOP_REFUSAL}: ${loop}`;
}

/**
 * Makes `server` refuse an initialize whose chain already holds `self`; `onRefused` hears the
 * refusal. Wraps the SDK's own initialize handler (a private method: the SDK has no hook).
 */
export function refuseLoops(server: Server, self: ProxyIdentity, onRefused: (refusal: string) => void): void {
  const initialize = (server as unknown as { _oninitialize(request: unknown): Promise<InitializeResult> })._oninitialize.bind(server);
  server.setRequestHandler('initialize', (request) => {
    const refusal = loopRefusal(chainOf(request.params.capabilities), self);
    if (!refusal) return initialize(request);
    onRefused(refusal);
    throw new ProtocolError(ProtocolErrorCode.InvalidRequest, refusal);
  });
}

export function isLoopRefusal(message: string | undefined): boolean {
  return message?.includes(LOOP_REFUSAL) ?? false;
}
