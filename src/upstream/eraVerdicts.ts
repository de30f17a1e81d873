// Which era each upstream spoke, remembered for the process: an `auto` upstream is probed with
// server/discover once, and later connections (other sessions, reconnects) start from the
// verdict without the probe. A verdict that proves wrong (the connect fails) is forgotten, so
// the next attempt probes again. Keyed by the upstream and how it is reached, so two configs
// (or two credentials, in the headers) never share one.
import type { Client } from '@modelcontextprotocol/client';
import type { UpstreamConfig } from '../config/schema.js';

type Prior = NonNullable<Parameters<Client['connect']>[1]> extends { prior?: infer P } ? P : never;

const verdicts = new Map<string, Prior>();

function keyOf(config: UpstreamConfig): string {
  const { name, protocol, ...reach } = config as UpstreamConfig & Record<string, unknown>;
  return JSON.stringify([name, protocol, reach]);
}

/** The client's version negotiation for this upstream's `protocol`. */
export function negotiationFor(config: UpstreamConfig): { mode: 'auto' | { pin: '2026-07-28' } } | undefined {
  if (config.protocol === 'modern') return { mode: { pin: '2026-07-28' } };
  return config.protocol === 'auto' ? { mode: 'auto' } : undefined;
}

export function priorVerdict(config: UpstreamConfig): Prior | undefined {
  return config.protocol === 'auto' ? verdicts.get(keyOf(config)) : undefined;
}

/** Remembers what a connected client found; forgets on failure. */
export function noteVerdict(config: UpstreamConfig, client: Client | undefined): void {
  if (config.protocol !== 'auto') return;
  if (!client) return void verdicts.delete(keyOf(config));
  const discover = client.getDiscoverResult();
  verdicts.set(keyOf(config), discover ? { kind: 'modern', discover } : { kind: 'legacy' });
}
