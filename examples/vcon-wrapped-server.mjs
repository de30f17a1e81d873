#!/usr/bin/env node
// A single MCP server (the SDK's McpServer over stdio) whose sessions are recorded as vCons by
// mcproxy's library entry, the same recorder the proxy uses. Run it from the checkout after
// `npm ci` (it imports the package by its own name):
//
//   CONSERVER_URL=http://localhost:8000/api/vcon CONSERVER_API_TOKEN=... node examples/vcon-wrapped-server.mjs
//
// Without CONSERVER_URL the vCons only land in VCON_DIR (default ./vcons).
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { VconMcpProxy } from 'mcproxy';

const recorder = new VconMcpProxy({
  conserver: { ingressList: 'mcp_sessions' },
  vcon: { serverName: 'weather', dir: process.env.VCON_DIR ?? './vcons', tags: { example: 'wrapped-server' } },
});
recorder.on('vcon:created', ({ uuid }) => process.stderr.write(`vCon ${uuid} created\n`));
recorder.on('vcon:error', ({ uuid, error }) => process.stderr.write(`vCon ${uuid}: ${error.message}\n`));

const server = new McpServer({ name: 'weather-example', version: '1.0.0' });
server.registerTool(
  'forecast',
  { description: 'A (made-up) forecast for a city', inputSchema: z.object({ city: z.string() }) },
  async ({ city }) => ({ content: [{ type: 'text', text: `Sunny in ${city}` }] }),
);

// stdout is the protocol: everything else goes to stderr.
await server.connect(recorder.wrapTransport(new StdioServerTransport()));

// The client closing stdin, or a signal, ends the session: finish and deliver its vCon first.
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await recorder.shutdown();
  process.exit(0);
};
process.stdin.on('end', stop);
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
