// Which era each `protocol: auto` upstream spoke, remembered so that later connections (other
// sessions, reconnects, and the next run through <data folder>/eras.json) start from the verdict
// without the probe. A verdict that proves wrong (the connect fails) is forgotten, so the next
// attempt probes again; one from an earlier run that says 2026-07-28 is confirmed with one
// server/discover on the serving connection before it is trusted (the server may have changed).
// Keyed by how the upstream is reached, credentials included, so two of them never share one.
import type { Client } from '@modelcontextprotocol/client';
import path from 'node:path';
import { dataDir } from '../config/locate.js';
import type { UpstreamConfig } from '../config/schema.js';
import { isStdioUpstream } from '../config/upstreamKind.js';
import { canonicalJson } from '../security/pins.js';
import { EraVerdictFile, verdictKey, type StoredVerdict } from './eraVerdictFile.js';
import { LooseResult } from './looseSchemas.js';

type Prior = NonNullable<Parameters<Client['connect']>[1]> extends { prior?: infer P } ? P : never;

interface Remembered {
  verdict: StoredVerdict;
  /** From an earlier run, not yet seen to hold in this one. */
  unconfirmed: boolean;
}

/** The config keys that say how an upstream is reached and as whom. */
const REACH_KEYS = ['command', 'args', 'env', 'cwd', 'url', 'transport', 'headers', 'oauth', 'credentials'] as const;

const verdicts = new Map<string, Remembered>();
let file: EraVerdictFile | undefined;

/** Where verdicts are kept across runs (default <data folder>/eras.json, read at first use). */
function keepVerdictsIn(where: string): void {
  file = new EraVerdictFile(where);
  verdicts.clear();
  for (const [key, verdict] of file.read()) verdicts.set(key, { verdict, unconfirmed: true });
}

function remembered(): Map<string, Remembered> {
  if (!file) keepVerdictsIn(path.join(dataDir(), 'eras.json'));
  return verdicts;
}

/** The key a verdict is remembered under, in memory and in the file. */
function verdictKeyOf(config: UpstreamConfig): string {
  const reach = config as unknown as Record<string, unknown>;
  return verdictKey(REACH_KEYS.map((key) => reach[key] ?? null));
}

/**
 * How long a stdio probe waits for an answer before the serving child is started with
 * initialize: a server that ignores unknown requests costs this once, not the whole timeoutMs.
 */
const STDIO_PROBE_TIMEOUT_MS = 10_000;

/** The client's version negotiation for this upstream's `protocol`. */
export function negotiationFor(config: UpstreamConfig): { mode: 'auto' | { pin: '2026-07-28' }; probe?: { timeoutMs: number } } | undefined {
  if (config.protocol === 'modern') return { mode: { pin: '2026-07-28' } };
  if (config.protocol !== 'auto') return undefined;
  return isStdioUpstream(config) ? { mode: 'auto', probe: { timeoutMs: Math.min(config.timeoutMs, STDIO_PROBE_TIMEOUT_MS) } } : { mode: 'auto' };
}

export function priorVerdict(config: UpstreamConfig): Prior | undefined {
  return config.protocol === 'auto' ? (remembered().get(verdictKeyOf(config))?.verdict as Prior | undefined) : undefined;
}

/**
 * After a connect from a verdict of an earlier run: a 2026-07-28 one is asked server/discover
 * again (one request on the serving connection, no extra process), and must find the same
 * server; otherwise this throws and the connect fails, which forgets the verdict.
 */
export async function confirmVerdict(config: UpstreamConfig, client: Client): Promise<void> {
  if (config.protocol !== 'auto') return;
  const entry = remembered().get(verdictKeyOf(config));
  if (!entry?.unconfirmed) return;
  if (entry.verdict.kind === 'modern') {
    const answer = await client.request({ method: 'server/discover' } as never, LooseResult, { timeout: config.timeoutMs });
    if (!sameServer(answer, entry.verdict.discover)) throw new Error('its server/discover answer changed since an earlier run remembered it (eras.json): probing again');
  }
  entry.unconfirmed = false;
}

/** Remembers what a connected client found; forgets on failure. */
export function noteVerdict(config: UpstreamConfig, client: Client | undefined): void {
  if (config.protocol !== 'auto') return;
  const key = verdictKeyOf(config);
  const known = remembered().get(key);
  if (!client) {
    if (!known) return;
    verdicts.delete(key);
    return file!.write(key, undefined);
  }
  const discover = client.getDiscoverResult() as Record<string, unknown> | undefined;
  const verdict: StoredVerdict = discover ? { kind: 'modern', discover } : { kind: 'legacy' };
  verdicts.set(key, { verdict, unconfirmed: false });
  if (canonicalJson(known?.verdict ?? null) !== canonicalJson(verdict)) file!.write(key, verdict);
}

/** The same server as far as a client can tell: versions, capabilities, instructions (in whatever key order). */
function sameServer(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const essence = (d: Record<string, unknown>) => canonicalJson([d.supportedVersions, d.capabilities, d.instructions ?? null]);
  return essence(a) === essence(b);
}
