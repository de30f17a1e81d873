// The shape of mcproxy.yaml. Key names are a user-facing contract: add, never rename.
import { z } from 'zod';
import { positiveInteger } from './numbers.js';
import { NamingSchema, PolicySchema, ProfilesSchema, policySections, type Policy, type Profile } from './policySchema.js';
import { protocolKeys, upstreamProtocolKeys } from './erasSchema.js';
import { remoteConnectionLimitKeys, sessionLifecycleKeys } from './lifecycleSchema.js';
import { VconSchema, type VconConfig } from './vconSchema.js';
import { AuthSchema, LimitsSchema } from './authSchema.js';
import { SecuritySchema } from './securitySchema.js';
import { shutdownKeys, upstreamOperationKeys } from './operationsSchema.js';
import { AdminSchema, LogFormatSchema, TelemetrySchema } from './opsSchema.js';
import { ToolSearchSchema, type ToolSearchConfig } from './toolSearchSchema.js';
import { ENV_PATTERN } from '../upstream/childEnv.js';
import { connectPageKeys, upstreamOAuthKeys } from './upstreamOAuthSchema.js';

const stringMap = z.record(z.string(), z.string());

/** Variables a stdio upstream inherits beyond the default list: `NAME` or `PREFIX*`. */
const inheritEnv = z.array(z.string().regex(ENV_PATTERN, { error: 'expected a variable name or a prefix ending in `*` (NAME, PREFIX_*)' }));

const PORT_NUMBER = 'expected a port number (0-65535)';

/** Each spare is a running server process: a handful at most. */
const MAX_SPARES = 8;
const SPARES_RULE = `expected a whole number from 0 (no spares) to ${MAX_SPARES}`;

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
  /** failMode, restart, healthCheck, required (operationsSchema.ts). */
  ...upstreamOperationKeys,
  /** `tools`, `prompts`, `resources`: allow/block, rename, describe, arguments (policySchema.ts). */
  ...policySections,
  /** auto | legacy | modern: the protocol era spoken to this upstream. */
  ...upstreamProtocolKeys,
};

export const StdioUpstreamSchema = z.strictObject({
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  env: stringMap.default({}),
  /** Variables inherited from the proxy's environment on top of the default list (and the top-level `inheritEnv`). */
  inheritEnv: inheritEnv.default([]),
  cwd: z.string().optional(),
  /** HTTP mode, not `shared`: connections kept started and listed for new sessions, per kind of client (0: none; default 1). */
  spares: z.number({ error: SPARES_RULE }).int({ error: SPARES_RULE }).min(0, { error: SPARES_RULE }).max(MAX_SPARES, { error: SPARES_RULE }).optional(),
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
        ...shutdownKeys,
        ...connectPageKeys,
        /** HTTP: who may connect (API keys, OAuth access tokens). */
        auth: AuthSchema.optional(),
        /** HTTP: body size, nesting, sessions, in-flight requests, rate limit. */
        limits: LimitsSchema.prefault({}),
        /** /healthz, /readyz, /metrics, /status on their own host/port (also in stdio mode), or beside the MCP path. */
        admin: AdminSchema.optional(),
      })
      .prefault({}),
    naming: NamingSchema.prefault({}),
    /** Allow/block/rename on exposed names, across all upstreams. */
    policy: PolicySchema.optional(),
    /** Named views over the upstreams, each with its own policy. */
    profiles: ProfilesSchema.optional(),
    /** Search mode (src/toolSearch): a search tool and a call tool instead of every tool. */
    toolSearch: ToolSearchSchema.optional(),
    upstreams: z.record(z.string().min(1), UpstreamSchema).optional(),
    /** Claude Desktop's claude_desktop_config.json shape, accepted as-is. */
    mcpServers: z.record(z.string().min(1), UpstreamSchema).optional(),
    /** VS Code's mcp.json shape (`servers`), accepted as-is. */
    servers: z.record(z.string().min(1), UpstreamSchema).optional(),
    logging: z
      .strictObject({
        level: LogLevelSchema.default('info'),
        file: z.string().optional(),
        /** text: one readable line per event; json: one JSON object per line. */
        format: LogFormatSchema.default('text'),
      })
      .prefault({}),
    /** OpenTelemetry traces; absent (and no OTEL_* variables): no tracing code is loaded. */
    telemetry: TelemetrySchema.optional(),
    /** vCon recording of every client session (src/vcon); absent: nothing is recorded. */
    vcon: VconSchema.optional(),
    security: SecuritySchema.prefault({}),
    /** Variables every stdio upstream inherits on top of the default list (src/upstream/childEnv.ts). */
    inheritEnv: inheritEnv.default([]),
  });

export type RawConfig = z.infer<typeof ConfigSchema>;
export type StdioUpstreamConfig = z.infer<typeof StdioUpstreamSchema>;
export type RemoteUpstreamConfig = z.infer<typeof RemoteUpstreamSchema>;

/** An upstream after loading: its key and a resolved namespace. */
export type UpstreamConfig = (StdioUpstreamConfig | RemoteUpstreamConfig) & {
  name: string;
  namespace: string;
  /** Stdio: the config's `${VAR}` names, which the child does not inherit unless its `inheritEnv` names them. */
  withholdEnv?: string[];
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
  /** The top-level `toolSearch:` ({} when absent); profiles may override it. */
  toolSearch: ToolSearchConfig;
  vcon?: VconConfig;
  telemetry?: RawConfig['telemetry'];
}

export { isStdioUpstream } from './upstreamKind.js';
