// The servers the e2e tests put behind the proxy (stdio, and fixtures over HTTP), and SDK clients straight to them (no proxy).
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client } from '@modelcontextprotocol/client';
import type { ClientCapabilities } from '@modelcontextprotocol/client';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { FIXTURES, serverPackage } from './paths.js';

/** How to start a stdio server: the `command` and `args` of an upstream's config. */
export interface StdioServer {
  command: string;
  args: string[];
}

/** A built fixture from test/fixtures, with its command-line options. */
export const fixture = (name: string, ...args: string[]): StdioServer => ({
  command: process.execPath,
  args: [path.join(FIXTURES, `${name}.js`), ...args],
});

/** A fixture from test/fixtures serving Streamable HTTP; resolves once it prints `listening on <url>`. */
export async function startHttpFixture(name: string, ...args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(FIXTURES, `${name}.js`), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
  return { url, child };
}

/** server-everything from npm, in stdio mode. */
export const everything: StdioServer = { command: process.execPath, args: [serverPackage('everything'), 'stdio'] };

/** The changing-tools fixture: tools added and removed at run time, cancellation, server→client requests. */
export const changing: StdioServer = fixture('changing-tools-server');

/** A config with server-everything under `ev` and the changing-tools fixture under `chg`. */
export const everythingAndChanging = {
  upstreams: {
    everything: { ...everything, namespace: 'ev' },
    changing: { ...changing, namespace: 'chg' },
  },
};

/** An SDK client straight to a server, no proxy: the reference for "unchanged". */
export async function connectDirect(server: StdioServer, capabilities: ClientCapabilities = {}): Promise<Client> {
  const client = new Client({ name: 'direct', version: '1.0.0' }, { capabilities });
  await client.connect(new StdioClientTransport({ ...server, stderr: 'ignore' }));
  return client;
}
