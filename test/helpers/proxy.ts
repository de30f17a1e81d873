// Runs the real mcproxy CLI as a child process and connects the real SDK client to it.
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Transport, ClientCapabilities } from '@modelcontextprotocol/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { CLI, ROOT } from './paths.js';
import { waitUntil } from './wait.js';

/**
 * Writes a config object as YAML into a fresh temp folder; returns its path. A client's first
 * list waits up to 20 s for upstreams to start (not the 2 s default: on a loaded machine the
 * tests' upstreams may take longer, and most tests assert a complete first list), unless the
 * config sets `server.firstListWaitMs` itself.
 */
export function writeConfig(config: unknown, name = 'mcproxy.yaml'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-test-'));
  const file = path.join(dir, name);
  writeFileSync(file, typeof config === 'string' ? config : stringify(withPatientFirstList(config)));
  return file;
}

function withPatientFirstList(config: unknown): unknown {
  if (config === null || typeof config !== 'object' || Array.isArray(config) || !('upstreams' in config)) return config;
  const server = ((config as { server?: Record<string, unknown> }).server ?? {}) as Record<string, unknown>;
  return { ...config, server: { firstListWaitMs: 20_000, ...server } };
}

export interface ClientOptions {
  capabilities?: ClientCapabilities;
  name?: string;
  /** Extra environment for the proxy process (stdio). */
  env?: Record<string, string>;
  /** 'modern': a 2026-07-28 client (no initialize, `_meta` on every request); default 2025-11-25. */
  era?: 'legacy' | 'modern';
}

function newClient(options: ClientOptions): Client {
  const versionNegotiation = options.era === 'modern' ? { mode: { pin: '2026-07-28' } } : undefined;
  return new Client({ name: options.name ?? 'mcproxy-test', version: '1.0.0' }, { capabilities: options.capabilities ?? {}, versionNegotiation });
}

/** The proxy in stdio mode, launched the way Claude Desktop launches it. */
export async function connectStdio(configFile: string, options: ClientOptions = {}): Promise<{ client: Client; transport: StdioClientTransport; pid(): number | null }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, '--config', configFile],
    cwd: ROOT,
    stderr: process.env.MCPROXY_TEST_VERBOSE ? 'inherit' : 'ignore',
    env: { ...process.env, MCPROXY_LOG_LEVEL: process.env.MCPROXY_TEST_VERBOSE ? 'debug' : 'warn', ...options.env } as Record<string, string>,
  });
  const client = newClient(options);
  await client.connect(transport);
  return { client, transport, pid: () => transport.pid };
}

export interface HttpProxy {
  url: string;
  child: ChildProcess;
  stderr(): string;
  stop(): Promise<void>;
}

/** The proxy in HTTP mode on a free port; resolves once it listens. */
/** `cli`: another build's (the bench measures main beside this one). */
export async function startHttpProxy(configFile: string, extraArgs: string[] = [], env: Record<string, string> = {}, cli = CLI): Promise<HttpProxy> {
  const child = spawn(process.execPath, [cli, '--config', configFile, '--transport', 'http', '--port', '0', ...extraArgs], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MCPROXY_LOG_LEVEL: process.env.MCPROXY_TEST_VERBOSE ? 'debug' : 'info', ...env },
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`proxy did not start:\n${stderr}`)), 20_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (process.env.MCPROXY_TEST_VERBOSE) process.stderr.write(chunk);
      const match = /listening on (http:\/\/[^\s"]+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`proxy exited with ${code}:\n${stderr}`));
    });
  });
  return {
    url,
    child,
    stderr: () => stderr,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Mocha hooks that start the proxy in HTTP mode before the enclosing suite's tests and stop it after them; returns a getter for it. */
export function httpProxyForSuite(configFile: string): () => HttpProxy {
  let proxy: HttpProxy | undefined;
  before(async () => {
    proxy = await startHttpProxy(configFile);
  });
  after(async () => proxy?.stop());
  return () => proxy!;
}

export async function connectHttp(url: string, options: ClientOptions = {}): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(url));
  const client = newClient(options);
  await client.connect(transport);
  return { client, transport };
}

/** A client connected to the proxy, and how to let go of it. */
export interface Connected {
  client: Client;
  transport: Transport;
  close(): Promise<void>;
}

/** Connects a new client to one proxy: lets the same tests run over either transport. */
export type Connect = (options?: ClientOptions) => Promise<Connected>;

/** Each client starts its own proxy in stdio mode on `configFile`. */
export const viaStdio = (configFile: string): Connect => async (options) => {
  const { client, transport } = await connectStdio(configFile, options);
  return { client, transport, close: () => client.close() };
};

/** Each client opens a session on the HTTP proxy `proxy()`, and ends it on close. */
export const viaHttp = (proxy: () => HttpProxy): Connect => async (options) => {
  const { client, transport } = await connectHttp(proxy().url, options);
  return {
    client,
    transport,
    close: async () => {
      await transport.terminateSession().catch(() => {});
      await client.close();
    },
  };
};

/**
 * The client's tool names once all of `expected` are listed. A config that does not go through
 * writeConfig (the bundled one, the shipped examples) has the 2 s `server.firstListWaitMs`: on a
 * loaded machine an upstream may come later, with list_changed, as it would for a user.
 */
export async function toolNamesOnceListed(client: Client, expected: readonly string[], ms = 30_000): Promise<string[]> {
  let names: string[] = [];
  await waitUntil(async () => {
    names = (await client.listTools()).tools.map((tool) => tool.name);
    return expected.every((name) => names.includes(name));
  }, `${expected.join(', ')} to be listed`, ms);
  return names;
}
