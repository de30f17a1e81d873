// A stdio upstream: a child process speaking MCP on its stdin/stdout. On POSIX it runs under the
// guardian (guardian.ts), in a process group of its own that goes away with the connection or
// with the proxy, grandchildren included.
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { StdioUpstreamConfig } from '../../config/schema.js';
import { logLines } from './stderrLines.js';

const GUARDIAN = fileURLToPath(new URL('./guardian.js', import.meta.url));
/** How long the upstream's group gets between SIGTERM and SIGKILL (below the SDK's own 2 s). */
const GRACE_MS = 1_500;
const USE_GUARDIAN = process.platform !== 'win32';

/** Guardians still running. If the proxy exits, they are told to end their groups. */
const liveChildren = new Set<number>();
process.once('exit', () => {
  for (const pid of liveChildren) {
    try {
      process.kill(pid, USE_GUARDIAN ? 'SIGTERM' : 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

export function createStdioTransport(name: string, config: StdioUpstreamConfig): StdioClientTransport {
  // The config's env goes over the SDK's safe subset of ours (PATH, HOME, ...), never all of it.
  const env = { ...getDefaultEnvironment(), ...config.env };
  const transport = new StdioClientTransport({
    ...(USE_GUARDIAN
      ? { command: process.execPath, args: [GUARDIAN, String(GRACE_MS), config.command, ...config.args] }
      : { command: config.command, args: config.args }),
    env,
    cwd: config.cwd,
    stderr: 'pipe',
  });
  // The child's stderr is its log: kept, tagged with the upstream's name, off our stdout, bounded.
  const stderr = transport.stderr;
  if (stderr) logLines(stderr as Readable, name);
  const start = transport.start.bind(transport);
  transport.start = async () => {
    // Under the guardian a missing command would only show as an early exit: say it plainly.
    if (USE_GUARDIAN && !findExecutable(config.command, env.PATH, config.cwd)) throw new Error(`spawn ${config.command} ENOENT`);
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

/** Whether `command` names an executable file, as the child's spawn would look it up. */
function findExecutable(command: string, searchPath: string | undefined, cwd: string | undefined): boolean {
  const base = cwd ?? process.cwd();
  const candidates = command.includes('/')
    ? [path.resolve(base, command)]
    : (searchPath ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(path.resolve(base, dir), command));
  return candidates.some((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
