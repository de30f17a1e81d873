// A stdio upstream: a child process speaking MCP on its stdin/stdout.
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createInterface } from 'node:readline';
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { StdioUpstreamConfig } from '../../config/schema.js';
import { log } from '../../log.js';
import { tapUnparsedLines } from '../../readBufferTap.js';
import { ChildReport } from './childReport.js';

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

const childReports = new WeakMap<StdioClientTransport, ChildReport>();

/** What went wrong with the child behind `transport`, in words ("exited with code 1; last stderr: ..."), if anything did. */
export function describeChild(transport: StdioClientTransport, stderrAlone = false): string | undefined {
  return childReports.get(transport)?.describe(stderrAlone);
}

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
  // What the child did, for errors that say why it failed: exit, stderr tail, stray stdout.
  const report = new ChildReport(config.command);
  childReports.set(transport, report);
  tapUnparsedLines(transport, ({ line }) => {
    if (report.noteStrayOutput(line)) log.warn(`wrote non-protocol output on stdout (only MCP messages belong there; logs go to stderr): ${JSON.stringify(line.slice(0, 200))}`, { upstream: name });
  });
  let closing = false;
  const close = transport.close.bind(transport);
  transport.close = async () => {
    closing = true;
    await close();
  };
  const start = transport.start.bind(transport);
  transport.start = async () => {
    try {
      await start();
    } catch (error) {
      throw report.spawnError(error);
    }
    const child = (transport as unknown as { _process?: ChildProcess })._process;
    child?.stderr?.on('data', (chunk: Buffer) => report.noteStderr(chunk));
    child?.once('exit', (code, signal) => {
      report.noteExit(code, signal);
      // An exit the proxy asked for (closing the transport) is no news.
      log.log(closing ? 'debug' : 'warn', `process ${report.describeExit()}`, { upstream: name });
    });
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
