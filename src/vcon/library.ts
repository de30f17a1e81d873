// The library entry point: records the sessions of any single MCP server, with the API of the
// vcon-mcp-proxy package (VconMcpProxy, wrapTransport, the same events and config shape) and
// the same recorder as the aggregating proxy. Only `conserver.url` is required (or
// CONSERVER_URL); vCons are also written to `vcon.dir` (default ./vcons), which holds the
// journals that make recording crash-safe.
import type { Transport } from '@modelcontextprotocol/server';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { redactPatterns } from './capture.js';
import type { ConserverClient, ConserverOptions } from './conserver.js';
import { CONSERVER_DEFAULTS, isDebug, SESSION_DEFAULTS, type RecordingOptions } from './options.js';
import { VconRecording, type VconLogger } from './recording.js';
import type { VconBuilder } from './builder.js';
import type { SessionManager } from './sessions.js';

export interface VconMcpProxyConfig {
  conserver?: Partial<ConserverOptions>;
  session?: Partial<typeof SESSION_DEFAULTS>;
  vcon?: {
    /** The server's name in vCons (VCON_SERVER_NAME, else "mcp-server"). */
    serverName?: string;
    addAnalysis?: boolean;
    tags?: Record<string, string>;
    /** Regular expressions whose matches are replaced in message bodies. */
    redact?: string[];
    /** Folder for vCons, journals, spool and rejected vCons (default ./vcons). */
    dir?: string;
  };
  debug?: boolean;
  logger?: VconLogger;
}

/** The config with every default filled in, as getConfig() returns it. */
export interface ResolvedVconMcpProxyConfig {
  conserver?: ConserverOptions & typeof CONSERVER_DEFAULTS;
  session: typeof SESSION_DEFAULTS;
  vcon: { serverName: string; addAnalysis: boolean; tags: Record<string, string>; redact: string[]; dir: string };
  debug: boolean;
}

export class VconMcpProxy extends VconRecording {
  private readonly resolved: ResolvedVconMcpProxyConfig;
  private readonly started: Promise<void>;

  constructor(config: VconMcpProxyConfig = {}, env: NodeJS.ProcessEnv = process.env) {
    const resolved = resolveConfig(config, env);
    super(toRecordingOptions(resolved), config.logger ?? silentUnlessDebug(resolved.debug));
    this.resolved = resolved;
    // Journals are opened as soon as a session speaks: their folder must exist now.
    mkdirSync(this.journalDir, { recursive: true });
    this.started = this.start().catch((error: Error) => this.logger.error(`vCon recovery failed: ${error.message}`));
  }

  /** Wraps a server transport: every message across it is recorded; everything passes through. */
  wrapTransport<T extends Transport>(transport: T, sessionId: string = transport.sessionId ?? randomUUID()): Transport {
    const server = { name: this.resolved.vcon.serverName };
    return this.recorder(sessionId, server).wrap(transport);
  }

  /** Finishes every session's vCon and waits (bounded) for delivery; then stops retrying. */
  override async shutdown(waitMs?: number): Promise<void> {
    await this.started;
    await super.shutdown(waitMs);
  }

  getConfig(): ResolvedVconMcpProxyConfig {
    return this.resolved;
  }

  getSessionManager(): SessionManager {
    return this.sessions;
  }

  getVconBuilder(): VconBuilder {
    return this.builder;
  }

  getConserverClient(): ConserverClient | undefined {
    return this.conserver;
  }
}

function resolveConfig(config: VconMcpProxyConfig, env: NodeJS.ProcessEnv): ResolvedVconMcpProxyConfig {
  const url = config.conserver?.url ?? env.CONSERVER_URL;
  return {
    ...(url && {
      conserver: { ...CONSERVER_DEFAULTS, ...config.conserver, url, apiToken: config.conserver?.apiToken ?? env.CONSERVER_API_TOKEN },
    }),
    session: { ...SESSION_DEFAULTS, ...config.session },
    vcon: {
      serverName: config.vcon?.serverName ?? env.VCON_SERVER_NAME ?? 'mcp-server',
      addAnalysis: config.vcon?.addAnalysis ?? true,
      tags: config.vcon?.tags ?? {},
      redact: config.vcon?.redact ?? [],
      dir: path.resolve(config.vcon?.dir ?? 'vcons'),
    },
    debug: config.debug ?? isDebug(env),
  };
}

function toRecordingOptions(config: ResolvedVconMcpProxyConfig): RecordingOptions {
  const { session, vcon } = config;
  return {
    dir: vcon.dir,
    serverName: vcon.serverName,
    upstreams: [vcon.serverName],
    tags: vcon.tags,
    addAnalysis: vcon.addAnalysis,
    capture: {
      captureResources: session.captureResources,
      capturePrompts: session.capturePrompts,
      redact: redactPatterns(vcon.redact),
    },
    maxInlineContentSize: session.maxInlineContentSize,
    session: { timeoutMs: session.timeoutMs, maxMessages: session.maxMessages },
    ...(config.conserver && { conserver: config.conserver }),
    debug: config.debug,
  };
}

/** Without a logger: warnings and errors on stderr, the rest only with debug. */
function silentUnlessDebug(debug: boolean): VconLogger {
  const write = (level: string) => (message: string) => process.stderr.write(`[vcon] ${level} ${message}\n`);
  const quiet = () => {};
  return { debug: debug ? write('debug') : quiet, info: debug ? write('info') : quiet, warn: write('warn'), error: write('error') };
}
