// A view: which upstreams a session gets and which policies shape its catalog. The full view
// has every upstream and the top-level `policy:`; a profile narrows the upstreams and adds its
// own policy on top.
import type { Policy } from '../config/policySchema.js';
import type { ProxyConfig, UpstreamConfig } from '../config/schema.js';
import type { CatalogOptions } from './catalog.js';

export interface View {
  /** The profile's name; undefined for the full view. */
  profile?: string;
  upstreams: UpstreamConfig[];
  catalogOptions: CatalogOptions;
}

export class UnknownProfileError extends Error {}

/** The view for `profile`, or for `server.defaultProfile` (else the full view) when none is asked for. */
export function viewOf(config: ProxyConfig, profile: string | undefined = config.server.defaultProfile): View {
  if (profile === undefined) return fullView(config);
  const chosen = Object.hasOwn(config.profiles, profile) ? config.profiles[profile] : undefined;
  if (!chosen) {
    const known = Object.keys(config.profiles);
    throw new UnknownProfileError(`no profile named ${profile} (${known.length ? `profiles: ${known.join(', ')}` : 'the config defines none'})`);
  }
  const included = chosen.upstreams;
  return {
    profile,
    upstreams: included ? config.upstreams.filter((u) => included.includes(u.name)) : config.upstreams,
    catalogOptions: { ...baseOptions(config), viewPolicies: [config.policy, chosen.policy ?? {}] },
  };
}

/** Every upstream, shaped by their own policies and the top-level `policy:`. */
export function fullView(config: ProxyConfig): View {
  return { upstreams: config.upstreams, catalogOptions: { ...baseOptions(config), viewPolicies: [config.policy] } };
}

function baseOptions(config: ProxyConfig): CatalogOptions {
  const upstreamPolicies = new Map<string, Policy>(
    config.upstreams.map((u) => [u.name, { tools: u.tools, prompts: u.prompts, resources: u.resources }]),
  );
  return { naming: config.naming, upstreamPolicies };
}
