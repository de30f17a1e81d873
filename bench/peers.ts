// The proxies people would otherwise pick, measured in the same run: installed from the npm
// registry into a cache folder at bench time (never dependencies of mcproxy), bound to
// 127.0.0.1, in front of the same stdio server.
// - punkpeye's mcp-proxy: Streamable HTTP at /mcp, a child per session.
// - mcp-hub: SSE (GET /mcp, POST /messages), one server shared by every client. It has no option
//   to choose its address, so bench/loopback.cjs, preloaded, binds it to 127.0.0.1; its state
//   goes under the cache folder. At start it fetches its marketplace catalog from the internet in
//   the background; offline it logs the failure and serves on.
import { Client, SSEClientTransport } from '@modelcontextprotocol/client';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../test/helpers/net.js';
import { ROOT } from '../test/helpers/paths.js';
import { connectHttp } from '../test/helpers/proxy.js';
import type { StdioServer } from '../test/helpers/upstreams.js';

const MCP_PROXY = { name: 'mcp-proxy', version: '6.7.19' };
const MCP_HUB = { name: 'mcp-hub', version: '4.2.1' };

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
  if (!install(cache)) return [];
  const peers = [await startMcpProxy(cache, server), await startMcpHub(cache, server)];
  return peers.filter((peer): peer is Peer => peer !== undefined);
}

function install(cache: string): boolean {
  const missing = [MCP_PROXY, MCP_HUB].filter((peer) => packageOf(cache, peer.name)?.version !== peer.version);
  if (missing.length === 0) return true;
  if (!existsSync(path.join(cache, 'package.json'))) writeFileSync(path.join(cache, 'package.json'), '{"name":"mcproxy-bench-peers","private":true}\n');
  const specs = missing.map((peer) => `${peer.name}@${peer.version}`);
  console.log(`installing ${specs.join(', ')} into ${cache}`);
  const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', ...specs], { cwd: cache, stdio: 'inherit' });
  if (npm.status !== 0) console.log('  the peers could not be installed: they are left out of this run');
  return npm.status === 0;
}

function packageOf(cache: string, name: string): { version: string; bin: Record<string, string> } | undefined {
  const file = path.join(cache, 'node_modules', name, 'package.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

const binOf = (cache: string, name: string) => path.join(cache, 'node_modules', name, packageOf(cache, name)!.bin[name]);

async function startMcpProxy(cache: string, server: StdioServer): Promise<Peer | undefined> {
  const port = await freePort();
  const child = spawn(process.execPath, [binOf(cache, MCP_PROXY.name), '--host', '127.0.0.1', '--port', String(port), '--server', 'stream', '--', server.command, ...server.args], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/mcp`;
  const connect = async () => (await connectHttp(url)).client;
  if (!(await serving(MCP_PROXY.name, child, connect))) return undefined;
  return {
    label: `punkpeye mcp-proxy ${MCP_PROXY.version} (HTTP → stdio)`,
    version: `${MCP_PROXY.name}@${MCP_PROXY.version}`,
    tool: 'echo',
    pid: child.pid,
    clients: (count) => connectMany(count, connect),
    stop: () => child.kill(),
  };
}

async function startMcpHub(cache: string, server: StdioServer): Promise<Peer | undefined> {
  const port = await freePort();
  const home = path.join(cache, 'mcp-hub-home');
  const config = path.join(cache, 'mcp-hub.json');
  writeFileSync(config, JSON.stringify({ mcpServers: { ev: { command: server.command, args: server.args } } }));
  const xdg = Object.fromEntries(['CONFIG', 'STATE', 'DATA', 'CACHE'].map((kind) => [`XDG_${kind}_HOME`, path.join(home, kind.toLowerCase())]));
  const child = spawn(process.execPath, ['--require', path.join(ROOT, 'bench', 'loopback.cjs'), binOf(cache, MCP_HUB.name), '--port', String(port), '--config', config], {
    stdio: 'ignore',
    env: { ...process.env, HOME: home, ...xdg },
  });
  const url = new URL(`http://127.0.0.1:${port}/mcp`);
  const connect = async () => {
    const client = new Client({ name: 'mcproxy-bench', version: '1.0.0' });
    await client.connect(new SSEClientTransport(url));
    // Its servers connect after it listens: a client before then lists no tools.
    if (!(await client.listTools()).tools.some((tool) => tool.name === 'ev__echo')) throw new Error('ev__echo is not listed yet');
    return client;
  };
  if (!(await serving(MCP_HUB.name, child, connect))) return undefined;
  return {
    label: `mcp-hub ${MCP_HUB.version} (SSE, one shared server)`,
    version: `${MCP_HUB.name}@${MCP_HUB.version}`,
    tool: 'ev__echo',
    pid: child.pid,
    clients: (count) => connectMany(count, connect),
    stop: () => child.kill(),
  };
}

/** Waits until a client can connect (and closes it); false, with a line saying why, when it never does. */
async function serving(name: string, child: ChildProcess, connect: () => Promise<Client>): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    try {
      await (await connect()).close();
      return true;
    } catch (error) {
      if (attempt > 100) {
        child.kill();
        console.log(`  ${name} did not start: ${(error as Error).message}; left out`);
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function connectMany(count: number, connect: () => Promise<Client>): Promise<Client[]> {
  const clients: Client[] = [];
  for (let i = 0; i < count; i++) clients.push(await connect());
  return clients;
}
