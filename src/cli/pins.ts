// `mcproxy pins list|diff|accept [UPSTREAM[:TOOL]]`: the pin file, read and managed by hand.
// diff and accept connect to the upstreams (as `mcproxy list` does) to see what they list now.
import type { ProxyConfig } from '../config/schema.js';
import { readPins, writePins } from '../security/pinStore.js';
import { checkListing, describeCheck, PIN_KINDS, withPinned, type ItemCheck, type PinFile } from '../security/pins.js';
import { fullView } from '../catalog/view.js';
import { collectListings } from './list.js';

export type PinsAction = 'list' | 'diff' | 'accept';

/** `UPSTREAM` or `UPSTREAM:NAME` (a tool's or prompt's original name). */
interface Selector {
  upstream: string;
  name?: string;
}

export function parseSelector(text: string | undefined): Selector | undefined {
  if (text === undefined) return undefined;
  const colon = text.indexOf(':');
  return colon === -1 ? { upstream: text } : { upstream: text.slice(0, colon), name: text.slice(colon + 1) };
}

const selects = (selector: Selector | undefined, upstream: string, name: string) =>
  !selector || (selector.upstream === upstream && (selector.name === undefined || selector.name === name));

/** Runs the action; returns the text to print and the exit code (diff: 1 when anything differs). */
export async function runPins(config: ProxyConfig, action: PinsAction, selectorText?: string): Promise<{ output: string; code: number }> {
  const file = config.security.pins;
  const selector = parseSelector(selectorText);
  if (selector && !config.upstreams.some((upstream) => upstream.name === selector.upstream)) {
    return { output: `no upstream named ${selector.upstream} in ${config.file}\n`, code: 2 };
  }
  const pins = readPins(file);
  if (action === 'list') return { output: listPins(pins, selector, file), code: 0 };

  const upstreams = config.upstreams.filter((u) => !selector || u.name === selector.upstream);
  const { listings, failed } = await collectListings(config, { ...fullView(config), upstreams });
  const lines = failed.map((f) => `FAILED upstream ${f.upstream}: ${f.reason}`);
  const differing = listings.flatMap((listing) =>
    checkListing(pins, listing)
      .filter((check) => check.status !== 'unchanged' && selects(selector, listing.upstream, check.name))
      .map((check) => ({ upstream: listing.upstream, check })),
  );

  if (action === 'diff') {
    for (const { upstream, check } of differing) lines.push(...diffLines(upstream, check));
    if (differing.length === 0) lines.push(`no differences from ${file}`);
    return { output: lines.join('\n') + '\n', code: failed.length > 0 ? 2 : differing.length > 0 ? 1 : 0 };
  }

  if (selector?.name !== undefined && differing.length === 0) {
    lines.push(`nothing to accept: ${selector.upstream}:${selector.name} is pinned as it is, or not listed`);
    return { output: lines.join('\n') + '\n', code: failed.length > 0 ? 2 : 0 };
  }
  let updated = pins;
  for (const upstream of new Set(differing.map((d) => d.upstream))) {
    updated = withPinned(updated, upstream, differing.filter((d) => d.upstream === upstream).map((d) => d.check));
  }
  if (differing.length > 0) writePins(file, updated);
  for (const { upstream, check } of differing) lines.push(`accepted ${upstream}:${check.name} (${check.status === 'first' ? 'first pin' : check.status}) ${check.pin.hash.slice(0, 19)}`);
  if (differing.length === 0) lines.push(`nothing to accept: everything matches ${file}`);
  return { output: lines.join('\n') + '\n', code: failed.length > 0 ? 2 : 0 };
}

function listPins(pins: PinFile, selector: Selector | undefined, file: string): string {
  const rows: string[] = [];
  for (const [upstream, byKind] of Object.entries(pins.upstreams)) {
    for (const kind of PIN_KINDS) {
      for (const [name, pin] of Object.entries(byKind[kind])) {
        if (selects(selector, upstream, name)) rows.push(`${upstream}:${name}  ${kind === 'tools' ? 'tool' : 'prompt'}  ${pin.hash.slice(0, 19)}  ${pin.pinnedAt}`);
      }
    }
  }
  return rows.length > 0 ? rows.join('\n') + '\n' : `no pins in ${file}\n`;
}

function diffLines(upstream: string, check: ItemCheck): string[] {
  const kind = check.kind === 'tools' ? 'tool' : 'prompt';
  const status = check.status === 'first' ? 'not pinned yet (the upstream was never pinned)' : describeCheck({ ...check, hiddenInstructions: [] });
  const lines = [`${upstream}:${check.name} (${kind}): ${status}`];
  for (const field of check.changedFields) {
    lines.push(`  - ${field}: ${JSON.stringify(check.previous!.definition[field]) ?? '(none)'}`);
    lines.push(`  + ${field}: ${JSON.stringify(check.pin.definition[field]) ?? '(none)'}`);
  }
  if (check.status !== 'changed' && check.pin.definition.description !== undefined) {
    lines.push(`  + description: ${JSON.stringify(check.pin.definition.description)}`);
  }
  for (const finding of check.hiddenInstructions) lines.push(`  ! hidden instructions: ${finding}`);
  return lines;
}
