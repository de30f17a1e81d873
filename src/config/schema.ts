// The shape of mcproxy.yaml. Key names are a user-facing contract: add, never rename.
import { z } from 'zod';
import { positiveInteger } from './numbers.js';
import { NamingSchema, PolicySchema, ProfilesSchema, policySections, type Policy, type Profile } from './policySchema.js';
import { protocolKeys, upstreamProtocolKeys } from './erasSchema.js';
import { remoteConnectionLimitKeys, sessionLifecycleKeys } from './lifecycleSchema.js';
import { VconSchema, type VconConfig } from './vconSchema.js';
import { AuthSchema, LimitsSchema } from './authSchema.js';
import { SecuritySchema } from './securitySchema.js';
import { upstreamOAuthKeys } from './upstreamOAuthSchema.js';

const stringMap = z.record(z.string(), z.string());

const PORT_NUMBER = 'expected a port number (0-65535)';

/** MCP tool names are limited to [A-Za-z0-9_.-], and a namespace becomes part of them. */
export const NAMESPACE_PATTERN = /^[A-Za-z0-9_.-]*$/;
export const NAMESPACE_RULE = 'only letters, digits, `_`, `-` and `.`';

/** What every kind of upstream accepts besides how to reach it. */
const upstreamCommon = {
  /** Prefix for exposed tool and prompt names; defaults to the upstream's key, "" for none. */
  namespace: z.string().regex(NAMESPACE_PATTERN, { error: `expected ${NAMESPACE_RULE} ("" for no prefix)` }).optional(),
  /** One connection for all client sessions instead of one per session. */
  shared: z.boolean().default(false),
  /** Per-request timeout, reset by progress notifications. */
  timeoutMs: positiveInteger().default(60_000),
  /** Bound on this upstream's in-flight requests per connection; the rest wait in order. */
  maxConcurrent: positiveInteger().optional(),
  /** false keeps the upstream in the file but out of the proxy. */
  enabled: z.boolean().default(true),
  /** `tools`, `prompts`, `resources`: allow/block, rename, describe, arguments (policySchema.ts). */
  ...policySections,
  /** auto | legacy | modern: the protocol era spoken to this upstream. */
  ...upstreamProtocolKeys,
};

export const StdioUpstreamSchema = z.strictObject({
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  env: stringMap.default({}),
  cwd: z.string().optional(),
  ...upstreamCommon,
});

export const RemoteUpstreamSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }),
  transport: z.enum(['streamable-http', 'sse']).optional(),
  headers: stringMap.default({}),
  ...remoteConnectionLimitKeys,
  ...upstreamOAuthKeys,
  ...upstreamCommon,
});

/** An npm package's bin, run with mcproxy's own Node; becomes a stdio upstream when loaded, so it takes the same keys. */
export const PackageUpstreamSchema = z.strictObject({
  package: z.string().min(1),
  ...StdioUpstreamSchema.omit({ command: true }).shape,
});

export const UpstreamSchema = z.union([StdioUpstreamSchema, RemoteUpstreamSchema, PackageUpstreamSchema], {
  error: 'expected an upstream with either `command` (stdio), `url` (HTTP) or `package` (an installed npm package)',
});

export const LogLevelSchema = z.enum(['error', 'warn', 'info', 'debug']);

export const ConfigSchema = z
  .strictObject({
    server: z
      .strictObject({
        name: z.string().min(1).default('mcproxy'),
        version: z.string().optional(),
        transport: z.enum(['stdio', 'http']).default('stdio'),
        host: z.string().min(1).default('127.0.0.1'),
        port: z
          .number({ error: PORT_NUMBER })
          .int({ error: PORT_NUMBER })
          .min(0, { error: PORT_NUMBER })
          .max(65535, { error: PORT_NUMBER })
          .default(8808),
        path: z.string().startsWith('/').default('/mcp'),
        /** Items per page of the proxy's own tools/prompts/resources lists. */
        pageSize: positiveInteger().default(100),
        /** Host header values accepted in HTTP mode besides the bound host (DNS-rebinding guard). */
        allowedHosts: z.array(z.string()).optional(),
        /** Origin header values accepted in HTTP mode; requests from other origins get 403. */
        allowedOrigins: z.array(z.string()).optional(),
        /** The profile the plain path (and stdio without --profile) serves; the full view when absent. */
        defaultProfile: z.string().optional(),
        ...sessionLifecycleKeys,
        ...protocolKeys,
        /** HTTP: who may connect (API keys, OAuth access tokens). */
        auth: AuthSchema.optional(),
        /** HTTP: body size, nesting, sessions, in-flight requests, rate limit. */
        limits: LimitsSchema.prefault({}),
      })
      .prefault({}),
    naming: NamingSchema.prefault({}),
    /** Allow/block/rename on exposed names, across all upstreams. */
    policy: PolicySchema.optional(),
    /** Named views over the upstreams, each with its own policy. */
    profiles: ProfilesSchema.optional(),
    upstreams: z.record(z.string().min(1), UpstreamSchema).optional(),
    /** Claude Desktop's claude_desktop_config.json shape, accepted as-is. */
    mcpServers: z.record(z.string().min(1), UpstreamSchema).optional(),
    /** VS Code's mcp.json shape (`servers`), accepted as-is. */
    servers: z.record(z.string().min(1), UpstreamSchema).optional(),
    logging: z
      .strictObject({
        level: LogLevelSchema.default('info'),
        file: z.string().optional(),
      })
      .prefault({}),
    /** vCon recording of every client session (src/vcon); absent: nothing is recorded. */
    vcon: VconSchema.optional(),
    security: SecuritySchema.prefault({}),
  });

export type RawConfig = z.infer<typeof ConfigSchema>;
export type StdioUpstreamConfig = z.infer<typeof StdioUpstreamSchema>;
export type RemoteUpstreamConfig = z.infer<typeof RemoteUpstreamSchema>;

/** An upstream after loading: its key and a resolved namespace. */
export type UpstreamConfig = (StdioUpstreamConfig | RemoteUpstreamConfig) & {
  name: string;
  namespace: string;
  /** Remote upstreams: where their OAuth tokens are kept (src/upstream/oauth/tokenStore.ts). */
  tokenStore?: TokenStoreLocation;
};

export interface TokenStoreLocation {
  /** The folder of token files, in the data folder. */
  dir: string;
  /** `security.tokenKey`: encrypts the files when set. */
  key?: string;
}

/** The validated, normalized config the rest of the proxy reads. */
export interface ProxyConfig {
  /** Absolute path of the file it came from (relative paths in it resolve against its folder). */
  file: string;
  server: RawConfig['server'];
  naming: RawConfig['naming'];
  logging: RawConfig['logging'];
  /** Tool pinning; `pins` is an absolute path. */
  security: RawConfig['security'];
  upstreams: UpstreamConfig[];
  /** The top-level `policy:` ({} when absent). */
  policy: Policy;
  profiles: Record<string, Profile>;
  vcon?: VconConfig;
}

export function isStdioUpstream(u: UpstreamConfig): u is StdioUpstreamConfig & UpstreamConfig {
  return 'command' in u;
}
