// A stdio upstream: a child process speaking MCP on its stdin/stdout.
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { StdioUpstreamConfig } from '../../config/schema.js';
import { log } from '../../log.js';

export function createStdioTransport(name: string, config: StdioUpstreamConfig): StdioClientTransport {
  const transport = new StdioClientTransport({
    command: config.command,
    args: config.args,
    // The config's env goes over the SDK's safe subset of ours (PATH, HOME, ...), never all of it.
    env: { ...getDefaultEnvironment(), ...config.env },
    cwd: config.cwd,
    stderr: 'pipe',
  });
  // The child's stderr is its log: keep it, tagged with the upstream's name, off our stdout.
  const stderr = transport.stderr;
  if (stderr) {
    createInterface({ input: stderr as Readable }).on('line', (line) => log.info(line, { upstream: name }));
  }
  return transport;
}
