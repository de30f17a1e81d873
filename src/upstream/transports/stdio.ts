// A stdio upstream: a child process speaking MCP on its stdin/stdout.
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { StdioUpstreamConfig } from '../../config/schema.js';
import { log } from '../../log.js';

/** Children still running. The SDK gives a child seconds to exit after stdin closes; if the
 * proxy itself is told to go meanwhile, they must not stay behind as orphans. */
const liveChildren = new Set<number>();
process.once('exit', () => {
  for (const pid of liveChildren) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

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
  const start = transport.start.bind(transport);
  transport.start = async () => {
    await start();
    const pid = transport.pid;
    if (pid !== null) {
      liveChildren.add(pid);
      const close = transport.onclose;
      transport.onclose = () => {
        liveChildren.delete(pid);
        close?.();
      };
    }
  };
  return transport;
}
