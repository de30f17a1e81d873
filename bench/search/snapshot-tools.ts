// Regenerates bench/search/tools.json: the tools/list of real MCP servers from the npm
// registry, the corpus the retrieval bench (search-quality.ts) ranks. Each server is started
// the way a user would (npx, stdio) with placeholder credentials: they all list their tools
// without reaching any network. Package names and versions are recorded with each listing.
//
//   npm run build --silent && node dist/bench/search/snapshot-tools.js
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { serverPackage } from '../../test/helpers/paths.js';
import { LooseResult } from '../../src/upstream/looseSchemas.js';

const require = createRequire(import.meta.url);
const OUT = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'bench', 'search', 'tools.json');

interface Source {
  /** The upstream key the corpus files it under (its namespace too). */
  upstream: string;
  package: string;
  version: string;
  bin?: string;
  args?: string[];
  env?: Record<string, string>;
  /** Run from mcproxy's own dependencies instead of npx. */
  local?: 'everything' | 'memory' | 'filesystem';
}

const own = (name: string) => (require(`@modelcontextprotocol/server-${name}/package.json`) as { version: string }).version;

const SOURCES: Source[] = [
  { upstream: 'everything', package: '@modelcontextprotocol/server-everything', version: own('everything'), local: 'everything', args: ['stdio'] },
  { upstream: 'memory', package: '@modelcontextprotocol/server-memory', version: own('memory'), local: 'memory' },
  { upstream: 'files', package: '@modelcontextprotocol/server-filesystem', version: own('filesystem'), local: 'filesystem', args: [os.tmpdir()] },
  { upstream: 'github', package: '@modelcontextprotocol/server-github', version: '2025.4.8', bin: 'mcp-server-github', env: { GITHUB_PERSONAL_ACCESS_TOKEN: 'placeholder' } },
  { upstream: 'gitlab', package: '@modelcontextprotocol/server-gitlab', version: '2025.4.25', bin: 'mcp-server-gitlab', env: { GITLAB_PERSONAL_ACCESS_TOKEN: 'placeholder' } },
  { upstream: 'slack', package: '@modelcontextprotocol/server-slack', version: '2025.4.25', bin: 'mcp-server-slack', env: { SLACK_BOT_TOKEN: 'placeholder', SLACK_TEAM_ID: 'placeholder' } },
  { upstream: 'maps', package: '@modelcontextprotocol/server-google-maps', version: '0.6.2', bin: 'mcp-server-google-maps', env: { GOOGLE_MAPS_API_KEY: 'placeholder' } },
  { upstream: 'brave', package: '@modelcontextprotocol/server-brave-search', version: '0.6.2', bin: 'mcp-server-brave-search', env: { BRAVE_API_KEY: 'placeholder' } },
  { upstream: 'browser', package: '@modelcontextprotocol/server-puppeteer', version: '2025.5.12', bin: 'mcp-server-puppeteer', env: { PUPPETEER_SKIP_DOWNLOAD: '1' } },
  { upstream: 'thinking', package: '@modelcontextprotocol/server-sequential-thinking', version: '2026.8.31', bin: 'mcp-server-sequential-thinking' },
  { upstream: 'postgres', package: '@modelcontextprotocol/server-postgres', version: '0.6.2', bin: 'mcp-server-postgres', args: ['postgresql://127.0.0.1:1/none'] },
  { upstream: 'notion', package: '@notionhq/notion-mcp-server', version: '2.5.2', bin: 'notion-mcp-server', env: { NOTION_TOKEN: 'placeholder' } },
  { upstream: 'k8s', package: 'mcp-server-kubernetes', version: '4.1.7', bin: 'mcp-server-kubernetes' },
  { upstream: 'circleci', package: '@circleci/mcp-server-circleci', version: '0.20.0', bin: 'mcp-server-circleci', env: { CIRCLECI_TOKEN: 'placeholder' } },
  { upstream: 'datadog', package: '@winor30/mcp-server-datadog', version: '1.8.0', bin: 'mcp-server-datadog', env: { DATADOG_API_KEY: 'placeholder', DATADOG_APP_KEY: 'placeholder' } },
];

async function list(source: Source) {
  const command = source.local ? process.execPath : 'npx';
  const args = source.local
    ? [serverPackage(source.local), ...(source.args ?? [])]
    : ['-y', '-p', `${source.package}@${source.version}`, '--', source.bin!, ...(source.args ?? [])];
  const client = new Client({ name: 'mcproxy-snapshot', version: '1.0.0' });
  const transport = new StdioClientTransport({ command, args, stderr: 'ignore', env: { ...(process.env as Record<string, string>), PUPPETEER_SKIP_DOWNLOAD: '1', ...source.env } });
  await client.connect(transport, { timeout: 300_000 });
  try {
    // Loosely parsed: some servers list schemas the SDK's strict parse refuses (the proxy passes them on).
    const { tools } = (await client.request({ method: 'tools/list' } as never, LooseResult)) as { tools: unknown[] };
    const info = client.getServerVersion();
    const instructions = client.getInstructions();
    return { upstream: source.upstream, package: source.package, version: source.version, serverInfo: info, ...(instructions && { instructions }), tools };
  } finally {
    await client.close();
  }
}

const servers = [];
for (const source of SOURCES) {
  const listing = await list(source);
  console.log(`${source.package}@${source.version}: ${listing.tools.length} tools`);
  servers.push(listing);
}
writeFileSync(OUT, `${JSON.stringify({ generatedBy: 'bench/search/snapshot-tools.ts', servers }, null, 1)}\n`);
console.log(`${servers.reduce((n, s) => n + s.tools.length, 0)} tools → ${OUT}`);
