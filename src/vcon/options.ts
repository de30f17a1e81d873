// What a recording needs to know, from either entry point: the proxy's `vcon:` section, or the
// library's config. The environment fills what neither sets: CONSERVER_URL,
// CONSERVER_API_TOKEN, VCON_SERVER_NAME, DEBUG (as the vcon-mcp-proxy package reads them).
import type { VconConfig } from '../config/vconSchema.js';
import { redactPatterns, type CaptureOptions } from './capture.js';
import type { ConserverOptions } from './conserver.js';

export interface RecordingOptions {
  /** Absolute folder for vCons, and the journal/, spool/, rejected/ folders inside it. */
  dir: string;
  serverName: string;
  /** Upstream keys, for the `upstreams:` tag. */
  upstreams: string[];
  tags: Record<string, string>;
  addAnalysis: boolean;
  capture: CaptureOptions;
  maxInlineContentSize: number;
  session: { timeoutMs: number; maxMessages: number };
  conserver?: ConserverOptions;
  debug: boolean;
}

export const SESSION_DEFAULTS = { timeoutMs: 300_000, maxMessages: 10_000, captureResources: true, capturePrompts: true, maxInlineContentSize: 100_000 };
export const CONSERVER_DEFAULTS = { apiTokenHeader: 'x-conserver-api-token', timeoutMs: 30_000, retryAttempts: 3, retryDelayMs: 1_000 };

/** The proxy's `vcon:` section (dir already absolute), for a proxy named `serverName` with these upstreams. */
export function recordingOptionsFromConfig(config: VconConfig, serverName: string, upstreams: string[], env: NodeJS.ProcessEnv = process.env): RecordingOptions {
  const url = config.conserver.url ?? env.CONSERVER_URL;
  return {
    dir: config.dir,
    serverName: env.VCON_SERVER_NAME || serverName,
    upstreams,
    tags: config.tags,
    addAnalysis: config.addAnalysis,
    capture: {
      captureResources: config.session.captureResources,
      capturePrompts: config.session.capturePrompts,
      redact: redactPatterns(config.redact),
    },
    maxInlineContentSize: config.session.maxInlineContentSize,
    session: { timeoutMs: config.session.timeoutMs, maxMessages: config.session.maxMessages },
    ...(url && { conserver: { ...config.conserver, url, apiToken: config.conserver.apiToken ?? env.CONSERVER_API_TOKEN } }),
    debug: isDebug(env),
  };
}

/** DEBUG=1, DEBUG=true, or a DEBUG list naming vcon (DEBUG=vcon*, DEBUG=*). */
export function isDebug(env: NodeJS.ProcessEnv): boolean {
  const value = env.DEBUG ?? '';
  return value === '1' || value === 'true' || /(^|,)\s*(\*|vcon[^,]*)/.test(value);
}
