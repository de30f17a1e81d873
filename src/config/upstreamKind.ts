// Which kind an upstream is, for the modules that run the proxy: apart from schema.ts, whose
// import builds the whole zod schema, which a launch from the validated-config cache never needs.
import { PATH_VARIABLES } from './locate.js';
import type { StdioUpstreamConfig, UpstreamConfig } from './schema.js';

export function isStdioUpstream(u: UpstreamConfig): u is StdioUpstreamConfig & UpstreamConfig {
  return 'command' in u;
}

/**
 * A stdio upstream whose config holds nothing from the environment but paths, and no `env:`:
 * what the proxy may keep on disk between launches (the launch plan, the listing snapshot).
 */
export function keptAcrossLaunches(u: UpstreamConfig): boolean {
  if (!isStdioUpstream(u) || Object.keys(u.env ?? {}).length > 0) return false;
  // withholdEnv: the variables the file refers to anywhere (config/normalize.ts).
  return (u.withholdEnv ?? []).every((name) => PATH_VARIABLES.has(name));
}
