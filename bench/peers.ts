// The proxies people would otherwise pick, measured in the same run: installed from the npm
// registry into a cache folder at bench time (never dependencies of mcproxy), bound to
// 127.0.0.1, in front of the same stdio server.
// - punkpeye's mcp-proxy: Streamable HTTP at /mcp, a child per session.
// - mcp-hub is not run: it has no option to bind an address (it listens on every interface)
//   and fetches a marketplace catalog from the internet at startup.
import type { Client } from '@modelcontextprotocol/client';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../test/helpers/net.js';
import { connectHttp } from '../test/helpers/proxy.js';
import type { StdioServer } from '../test/helpers/upstreams.js';

const MCP_PROXY = { name: 'mcp-proxy', version: '6.7.19' };

export interface Peer {
  label: string;
  version: string;
  /** The echo tool's name through this peer. */
  tool: string;
  pid?: number;
  clients(count: number): Promise<Client[]>;
  stop(): void;
}

/** Installs (once) and starts the peers; a peer that cannot be installed or started is left out, with a line saying why. */
export async function startPeers(cache: string, server: StdioServer): Promise<Peer[]> {
  mkdirSync(cache, { recursive: true });
  const bin = path.join(cache, 'node_modules', MCP_PROXY.name, 'package.json');
  if (!existsSync(bin) || JSON.parse(readFileSync(bin, 'utf8')).version !== MCP_PROXY.version) {
    if (!existsSync(path.join(cache, 'package.json'))) writeFileSync(path.join(cache, 'package.json'), '{"name":"mcproxy-bench-peers","private":true}\n');
    console.log(`installing ${MCP_PROXY.name}@${MCP_PROXY.version} into ${cache}`);
    const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', `${MCP_PROXY.name}@${MCP_PROXY.version}`], { cwd: cache, stdio: 'inherit' });
    if (npm.status !== 0) {
      console.log(`  ${MCP_PROXY.name} not installed: the peer is left out of this run`);
      return [];
    }
  }
  const port = await freePort();
  const script = path.join(cache, 'node_modules', MCP_PROXY.name, JSON.parse(readFileSync(bin, 'utf8')).bin['mcp-proxy']);
  const child = spawn(process.execPath, [script, '--host', '127.0.0.1', '--port', String(port), '--server', 'stream', '--', server.command, ...server.args], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/mcp`;
  for (let attempt = 0; ; attempt++) {
    try {
      const { client } = await connectHttp(url);
      await client.close();
      break;
    } catch (error) {
      if (attempt > 100) {
        child.kill();
        console.log(`  ${MCP_PROXY.name} did not start: ${(error as Error).message}; left out`);
        return [];
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return [
    {
      label: `punkpeye mcp-proxy ${MCP_PROXY.version} (HTTP → stdio)`,
      version: `${MCP_PROXY.name}@${MCP_PROXY.version}`,
      tool: 'echo',
      pid: child.pid,
      async clients(count) {
        const clients: Client[] = [];
        for (let i = 0; i < count; i++) clients.push((await connectHttp(url)).client);
        return clients;
      },
      stop: () => child.kill(),
    },
  ];
}
