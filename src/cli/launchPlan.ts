// The launch plan: the stdio upstreams a stdio proxy started last time for a config file, kept
// in <data folder>/launch-plans.json under a hash of the file's path (the last few files). A
// client that launches mcproxy (Claude Desktop, at every start) gets those servers started first
// thing, while the proxy still loads and validates its config, instead of after it: a server's
// own start is most of the wait.
// The plan is no second reading of the config: it is what the validated config said, used only
// while the file is unchanged (size and mtime), and the validated config still decides. A child
// started for another config gives way to the right one (startAhead), and a config that no longer
// loads ends every child before mcproxy exits (dropAhead). The plan keeps no credential on disk:
// an upstream with `env:` stays out of it, and so do all of them when the file refers to a
// variable (`${VAR}`) other than the predefined paths; those start once the config is loaded.
import { statSync } from 'node:fs';
import path from 'node:path';
import type { View } from '../catalog/view.js';
import { readRecords, recordKey, writeRecord } from '../config/keptRecords.js';
import { dataDir, locateConfig } from '../config/locate.js';
import type { UpstreamConfig } from '../config/schema.js';
import { keptAcrossLaunches } from '../config/upstreamKind.js';

/** MCPROXY_LAUNCH_PLAN=0 turns the plan off: nothing starts before the config is loaded, and no plan is written. */
const SWITCH = 'MCPROXY_LAUNCH_PLAN';

interface Plan {
  /** The config file as it was when the plan was made (mtime in whole ms, as Node's Date and tools that copy files keep it). */
  size: number;
  mtimeMs: number;
  /** `--profile`, whose view the upstreams are. */
  profile: string | null;
  upstreams: UpstreamConfig[];
  at: number;
}

const plansFile = () => path.join(dataDir(), 'launch-plans.json');

/** The upstreams the plan for this config file names, when the file is as it was; none otherwise. */
export function plannedUpstreams(configOption: string | undefined, profile: string | undefined): UpstreamConfig[] {
  if (process.env[SWITCH] === '0') return [];
  try {
    const file = locateConfig(configOption).file;
    const plan = readRecords<Plan>(plansFile())[recordKey(file)];
    if (!plan || !Array.isArray(plan.upstreams)) return [];
    const { size, mtimeMs } = statSync(file);
    return plan.size === size && plan.mtimeMs === Math.round(mtimeMs) && plan.profile === (profile ?? null) ? plan.upstreams : [];
  } catch {
    return []; // no such file: the config's loading says what is wrong
  }
}

/** Keeps the plan for the next launch: the view's stdio upstreams that hold no credential. */
export function keepPlan(configFile: string, view: View, profile: string | undefined): void {
  if (process.env[SWITCH] === '0') return;
  let size: number, mtimeMs: number;
  try {
    ({ size, mtimeMs } = statSync(configFile));
  } catch {
    return; // gone meanwhile: the next launch starts its upstreams after loading the config
  }
  writeRecord<Plan>(plansFile(), recordKey(configFile), { size, mtimeMs: Math.round(mtimeMs), profile: profile ?? null, upstreams: view.upstreams.filter(keptAcrossLaunches), at: Date.now() });
}
