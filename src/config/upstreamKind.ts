// Which kind an upstream is, for the modules that run the proxy: apart from schema.ts, whose
// import builds the whole zod schema, which a launch from the validated-config cache never needs.
import type { StdioUpstreamConfig, UpstreamConfig } from './schema.js';

export function isStdioUpstream(u: UpstreamConfig): u is StdioUpstreamConfig & UpstreamConfig {
  return 'command' in u;
}
