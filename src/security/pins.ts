// Tool pinning (rug-pull detection), the pure part: what a pin is, how a listing compares with
// the pins, and what the configured policy makes of the differences. The file I/O is in
// pinStore.ts, the hook into the proxy in pinGuard.ts.
import { createHash } from 'node:crypto';
import type { UpstreamListing } from '../catalog/listing.js';
import type { PinAction } from '../config/securitySchema.js';
import { hiddenInstructions } from './hiddenInstructions.js';

export type PinKind = 'tools' | 'prompts';
export const PIN_KINDS: readonly PinKind[] = ['tools', 'prompts'];

/** The fields that define what a tool or prompt does, as the model sees it. */
const PINNED_FIELDS: Record<PinKind, readonly string[]> = {
  tools: ['name', 'description', 'inputSchema', 'outputSchema', 'annotations'],
  prompts: ['name', 'description', 'arguments'],
};

export interface Pin {
  hash: string;
  pinnedAt: string;
  /** The pinned fields themselves, so a change can be shown, not only detected. */
  definition: Record<string, unknown>;
  /** The server's version when pinned (pin files from before it have none). */
  serverVersion?: string;
}

export type UpstreamPins = Record<PinKind, Record<string, Pin>>;

export interface PinFile {
  version: 1;
  upstreams: Record<string, UpstreamPins>;
}

export const emptyPinFile = (): PinFile => ({ version: 1, upstreams: {} });

export interface ItemCheck {
  kind: PinKind;
  name: string;
  /** unchanged; changed since pinned; new to a known upstream; first: the upstream was never pinned. */
  status: 'unchanged' | 'changed' | 'new' | 'first';
  /** The pinned fields that differ (status changed). */
  changedFields: string[];
  pin: Pin;
  /** The pin it differs from (status changed). */
  previous?: Pin;
  hiddenInstructions: string[];
}

export function definitionOf(kind: PinKind, item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(PINNED_FIELDS[kind].filter((field) => item[field] !== undefined).map((field) => [field, item[field]]));
}

/** sha256 of the definition as canonical JSON (keys sorted), so key order never counts as a change. */
export function hashOf(definition: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(definition)).digest('hex')}`;
}

/** JSON with object keys sorted: equal for equal data, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Every tool and prompt of a listing, compared with the pins. */
export function checkListing(pins: PinFile, listing: UpstreamListing, now: Date = new Date()): ItemCheck[] {
  const known = pins.upstreams[listing.upstream];
  return PIN_KINDS.flatMap((kind) =>
    (listing[kind] as unknown as Array<Record<string, unknown>>).map((item) => {
      const definition = definitionOf(kind, item);
      const pin: Pin = { hash: hashOf(definition), pinnedAt: now.toISOString(), definition, ...(listing.serverVersion && { serverVersion: listing.serverVersion }) };
      const name = String(item.name);
      const previous = known?.[kind][name];
      const status = !known ? 'first' : !previous ? 'new' : previous.hash === pin.hash ? 'unchanged' : 'changed';
      const changedFields = status === 'changed' ? changedFieldsOf(kind, previous!.definition, definition) : [];
      return { kind, name, status, changedFields, pin, ...(status === 'changed' && { previous }), hiddenInstructions: hiddenInstructions(definition) };
    }),
  );
}

function changedFieldsOf(kind: PinKind, before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return PINNED_FIELDS[kind].filter((field) => canonicalJson(before[field]) !== canonicalJson(after[field]));
}

export interface PinPolicy {
  onToolChange: PinAction;
  onNewTool: PinAction;
}

/** What to do with one checked item: serve it, warn and serve it, withhold it; and whether to pin it now. */
export function decide(check: ItemCheck, policy: PinPolicy): { action: 'serve' | 'warn' | 'block'; record: boolean } {
  switch (check.status) {
    case 'unchanged':
      return { action: 'serve', record: false };
    case 'first': // trust on first use
      return { action: 'serve', record: true };
    case 'changed':
    case 'new': {
      const action = check.status === 'changed' ? policy.onToolChange : policy.onNewTool;
      return action === 'allow' ? { action: 'serve', record: true } : { action, record: false };
    }
  }
}

/** Why an item differs, in words: "its description, inputSchema changed since it was pinned". */
export function describeCheck(check: ItemCheck): string {
  const what = check.status === 'changed' ? `its ${check.changedFields.join(', ')} changed since it was pinned${versionNote(check)}` : 'it is new since the upstream was pinned';
  const hidden = check.hiddenInstructions.length > 0 ? `; it carries what looks like hidden instructions (${check.hiddenInstructions.join('; ')})` : '';
  return what + hidden;
}

/**
 * A change that came with a new server version (an update) reads differently from one under
 * the same version (the server rewrote a tool on its own): both are withheld by default, but the
 * second deserves the closer look.
 */
function versionNote(check: ItemCheck): string {
  const before = check.previous?.serverVersion;
  const now = check.pin.serverVersion;
  if (!before || !now) return '';
  return before === now ? ` under the same server version ${now} (not an update: look closely)` : ` with a new server version (${before} → ${now})`;
}

/** The pin file with these items pinned as they are now. */
export function withPinned(file: PinFile, upstream: string, checks: readonly ItemCheck[]): PinFile {
  const pins: UpstreamPins = structuredClone(file.upstreams[upstream] ?? { tools: {}, prompts: {} });
  for (const check of checks) pins[check.kind][check.name] = check.pin;
  return { ...file, upstreams: { ...file.upstreams, [upstream]: pins } };
}

/** A listing without the given items (what a client must not see). */
export function withoutItems(listing: UpstreamListing, withheld: readonly ItemCheck[]): UpstreamListing {
  if (withheld.length === 0) return listing;
  const names = (kind: PinKind) => new Set(withheld.filter((check) => check.kind === kind).map((check) => check.name));
  const tools = names('tools');
  const prompts = names('prompts');
  return { ...listing, tools: listing.tools.filter((t) => !tools.has(t.name)), prompts: listing.prompts.filter((p) => !prompts.has(p.name)) };
}
