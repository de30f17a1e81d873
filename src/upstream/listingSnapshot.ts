// The listing snapshot: what each stdio upstream listed last time (its tools, prompts, resources
// and templates), kept in <data folder>/listing-snapshots.json. A client that launches mcproxy
// (Claude Desktop, at every start) asks for the tools at once, and a server's start is most of
// the wait: while an upstream is in its first start, its connection answers lists from the
// snapshot (connection.ts), calls to it wait for the server, and once the server has listed,
// sessions hear list_changed and list afresh. Kept only for what the launch plan may keep (no
// `env:`, no `${VAR}` but paths: upstreamKind.ts), under the upstream's name, command, args and
// cwd, so a changed entry never gets another's listing; written when the listing changed, off to
// the side of the session's answer.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { UpstreamListing } from '../catalog/listing.js';
import { readRecords, writeRecord } from '../config/keptRecords.js';
import { dataDir } from '../config/locate.js';
import type { UpstreamConfig } from '../config/schema.js';
import { keptAcrossLaunches } from '../config/upstreamKind.js';

/** MCPROXY_LAUNCH_CATALOG=0: no snapshot is read or written; a first list waits for the servers. */
const SWITCH = 'MCPROXY_LAUNCH_CATALOG';
/** Only a launched (stdio) proxy serves snapshots: an HTTP listener's sessions come long after its start. */
let launched = false;
/** Upstreams kept (the most recent): a user has a few configs of a few servers each. */
const KEPT = 64;

type Listed = Pick<UpstreamListing, 'tools' | 'prompts' | 'resources' | 'resourceTemplates' | 'serverVersion'>;
interface Snapshot {
  listed: Listed;
  at: number;
}

const snapshotsFile = () => path.join(dataDir(), 'listing-snapshots.json');

/** The file's snapshots, read once per process, and the JSON of each one this process wrote. */
let known: Record<string, Snapshot> | undefined;
const written = new Map<string, string>();

/** A stdio proxy's start: its connections answer from snapshots and keep them. */
export function serveSnapshots(): void {
  launched = process.env[SWITCH] !== '0';
}

function keyOf(config: UpstreamConfig): string | undefined {
  if (!launched || !keptAcrossLaunches(config) || !('command' in config)) return undefined;
  const { name, command, args, cwd } = config;
  return createHash('sha256').update(JSON.stringify([name, command, args ?? [], cwd ?? null])).digest('hex');
}

/** What this upstream listed last time, as its listing now (no caching hints: they were for then). */
export function snapshotOf(config: UpstreamConfig): UpstreamListing | undefined {
  const key = keyOf(config);
  if (!key) return undefined;
  known ??= readRecords<Snapshot>(snapshotsFile());
  const listed = known[key]?.listed;
  if (!listed || !Array.isArray(listed.tools) || !Array.isArray(listed.prompts) || !Array.isArray(listed.resources) || !Array.isArray(listed.resourceTemplates)) return undefined;
  return { ...listed, upstream: config.name, namespace: config.namespace };
}

/** Whether a live listing lists what the snapshot did (then its sessions need not list again). */
export function listsAlike(a: UpstreamListing, b: UpstreamListing): boolean {
  const listed = ({ tools, prompts, resources, resourceTemplates }: UpstreamListing) => JSON.stringify([tools, prompts, resources, resourceTemplates]);
  return listed(a) === listed(b);
}

/** Keeps the first live listing of a start for the next launch, when it differs from what is kept. */
export function keepSnapshot(config: UpstreamConfig, listing: UpstreamListing): void {
  const key = keyOf(config);
  if (!key) return;
  const { tools, prompts, resources, resourceTemplates, serverVersion } = listing;
  const listed: Listed = { tools, prompts, resources, resourceTemplates, ...(serverVersion !== undefined && { serverVersion }) };
  const json = JSON.stringify(listed);
  if (written.get(key) === json) return;
  known ??= readRecords<Snapshot>(snapshotsFile());
  if (!written.has(key) && known[key] && JSON.stringify(known[key].listed) === json) {
    written.set(key, json);
    return;
  }
  written.set(key, json);
  known[key] = { listed, at: Date.now() };
  // After the answer that asked for the listing has gone.
  setImmediate(() => writeRecord<Snapshot>(snapshotsFile(), key, { listed, at: Date.now() }, KEPT));
}
