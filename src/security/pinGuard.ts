// Where pinning meets the running proxy: each upstream listing passes through the guard on its
// way into a session's catalog. First-seen upstreams are pinned; changed or new tools and
// prompts are served, warned about or withheld as security.onToolChange / onNewTool say. The pin
// file is re-read when `mcproxy pins accept` (or anyone) replaces it.
import { performance } from 'node:perf_hooks';
import type { UpstreamListing } from '../catalog/listing.js';
import { exposedName } from '../catalog/names.js';
import type { ProxyConfig } from '../config/schema.js';
import { log } from '../log.js';
import { pinsStamp, readPins, writePins } from './pinStore.js';
import { checkListing, decide, describeCheck, emptyPinFile, withoutItems, withPinned, type ItemCheck, type PinFile, type PinPolicy } from './pins.js';

/** How long a look at the pin file holds: `mcproxy pins accept`, a process of its own, takes longer to start. */
const RECHECK_MS = 50;

export class PinGuard {
  private pins: PinFile = emptyPinFile();
  private stamp = '';
  private checkedAt = -Infinity;
  /** The file could not be read: serve unpinned (with a warning) rather than overwrite it. */
  private broken = false;
  /** Bumped whenever the pins change, so that catalogs built before know they are stale. */
  version = 0;
  private readonly said = new Set<string>();

  constructor(
    readonly file: string,
    private readonly policy: PinPolicy,
  ) {}

  /** Re-reads the file if it changed on disk; returns the current version. */
  refresh(): number {
    // Asked on every routed call: the file is looked at again once per RECHECK_MS at most (a stat per call was a few % of a stdio call's CPU in the proxy).
    const now = performance.now();
    if (now - this.checkedAt < RECHECK_MS) return this.version;
    this.checkedAt = now;
    const stamp = pinsStamp(this.file);
    if (stamp === this.stamp) return this.version;
    this.stamp = stamp;
    try {
      this.pins = readPins(this.file);
      this.broken = false;
    } catch (error) {
      this.broken = true;
      log.error(`cannot read the pin file, tools are NOT checked against it: ${(error as Error).message}`);
    }
    return ++this.version;
  }

  /** The listing as clients may see it, and what was withheld from it. */
  guard(listing: UpstreamListing): { listing: UpstreamListing; withheld: ItemCheck[] } {
    this.refresh();
    if (this.broken) return { listing, withheld: [] };
    // An upstream that is down lists nothing: never pin that as its first version.
    if (listing.tools.length + listing.prompts.length === 0) return { listing, withheld: [] };
    const checks = checkListing(this.pins, listing);
    const withheld: ItemCheck[] = [];
    const record: ItemCheck[] = [];
    for (const check of checks) {
      const { action, record: pinNow } = decide(check, this.policy);
      if (pinNow) record.push(check);
      if (action === 'block') withheld.push(check);
      if (action !== 'serve' || check.hiddenInstructions.length > 0) this.report(listing.upstream, check, action);
    }
    if (record.length > 0) this.record(listing.upstream, record, checks.every((check) => check.status === 'first'));
    return { listing: withoutItems(listing, withheld), withheld };
  }

  private record(upstream: string, checks: ItemCheck[], first: boolean): void {
    this.pins = withPinned(readPinsOr(this.file, this.pins), upstream, checks);
    try {
      writePins(this.file, this.pins);
      this.stamp = pinsStamp(this.file);
      this.version++;
      log.info(first ? `pinned ${checks.length} tools and prompts in ${this.file}` : `pinned ${checks.map((c) => c.name).join(', ')}`, { upstream });
    } catch (error) {
      log.error(`cannot write the pin file: ${(error as Error).message}`, { upstream });
    }
  }

  /** Logs each distinct finding once (a listing is checked for every session). */
  private report(upstream: string, check: ItemCheck, action: 'serve' | 'warn' | 'block'): void {
    const key = `${upstream}\0${check.kind}\0${check.name}\0${check.pin.hash}\0${action}`;
    if (this.said.has(key)) return;
    this.said.add(key);
    const kind = check.kind === 'tools' ? 'tool' : 'prompt';
    const consequence = action === 'block' ? `withheld until \`mcproxy pins accept ${upstream}:${check.name}\`` : 'served';
    log.warn(`${kind} ${check.name}: ${describeCheck(check)}; ${consequence}`, { upstream });
  }
}

/** The file as it is now (another process may have pinned meanwhile), else what we had. */
function readPinsOr(file: string, fallback: PinFile): PinFile {
  try {
    return readPins(file);
  } catch {
    return fallback;
  }
}

/** What a call to a withheld item gets, and what its client is told when it is withheld. */
export function withheldMessage(item: WithheldItem): string {
  return `${item.kind === 'tool' ? 'Tool' : 'Prompt'} ${item.name} is withheld: ${item.why}. See \`${item.diffCommand}\`; accept it with \`${item.acceptCommand}\`.`;
}

const guards = new Map<string, PinGuard>();

/** The one guard for this config's pin file. */
export function pinGuardFor(config: ProxyConfig): PinGuard {
  const { pins, onToolChange, onNewTool } = config.security;
  let guard = guards.get(pins);
  if (!guard) guards.set(pins, (guard = new PinGuard(pins, { onToolChange, onNewTool })));
  return guard;
}

/**
 * The listings as clients may see them, and why each withheld tool or prompt is missing, by
 * "tool <exposed name>" / "prompt <exposed name>", for the error a call to it gets.
 */
export function guardListings(
  config: ProxyConfig,
  listings: readonly UpstreamListing[],
): { listings: UpstreamListing[]; withheld: Map<string, string> } {
  const guard = pinGuardFor(config);
  const withheld = new Map<string, string>();
  const guarded = listings.map((listing) => {
    const result = guard.guard(listing);
    for (const check of result.withheld) {
      const item = withheldItem(config, listing, check);
      withheld.set(`${item.kind} ${item.name}`, withheldMessage(item));
    }
    return result.listing;
  });
  return { listings: guarded, withheld };
}

/** A tool or prompt pinning withholds from clients, with the commands that show and accept its change. */
export interface WithheldItem {
  kind: 'tool' | 'prompt';
  /** Its exposed name. */
  name: string;
  upstream: string;
  original: string;
  /** "its description changed since it was pinned ..." */
  why: string;
  diffCommand: string;
  acceptCommand: string;
}

/**
 * What a running proxy would withhold from these listings, without pinning anything (for
 * `mcproxy list`, which must not change the pin file it reports on).
 */
export function previewWithheld(config: ProxyConfig, listings: readonly UpstreamListing[]): { listings: UpstreamListing[]; withheld: WithheldItem[] } {
  let pins;
  try {
    pins = readPins(config.security.pins);
  } catch {
    return { listings: [...listings], withheld: [] }; // the proxy would serve unpinned too, and say why
  }
  const policy = { onToolChange: config.security.onToolChange, onNewTool: config.security.onNewTool };
  const withheld: WithheldItem[] = [];
  const guarded = listings.map((listing) => {
    const blocked = checkListing(pins, listing).filter((check) => decide(check, policy).action === 'block');
    for (const check of blocked) withheld.push(withheldItem(config, listing, check));
    return withoutItems(listing, blocked);
  });
  return { listings: guarded, withheld };
}

function withheldItem(config: ProxyConfig, listing: UpstreamListing, check: ItemCheck): WithheldItem {
  const selector = `${listing.upstream}:${check.name}`;
  return {
    kind: check.kind === 'tools' ? 'tool' : 'prompt',
    name: exposedName(listing.namespace, config.naming.separator, check.name),
    upstream: listing.upstream,
    original: check.name,
    why: describeCheck(check),
    diffCommand: `mcproxy pins diff ${selector}`,
    acceptCommand: `mcproxy pins accept ${selector}`,
  };
}
