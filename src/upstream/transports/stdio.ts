// A stdio upstream: a child process speaking MCP on its stdin/stdout. On POSIX it runs under the
// guardian (guardian.ts), in a process group of its own that goes away with the connection or
// with the proxy, grandchildren included.
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { StdioUpstreamConfig } from '../../config/schema.js';
import { log } from '../../log.js';
import { tapUnparsedLines } from './readBufferTap.js';
import { ChildReport } from './childReport.js';
import { logLines } from './stderrLines.js';
import { childEnvironment, guardianEnvironment } from '../childEnv.js';

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

const childReports = new WeakMap<StdioClientTransport, ChildReport>();

/** What went wrong with the child behind `transport`, in words ("exited with code 1; last stderr: ..."), if anything did. */
export function describeChild(transport: StdioClientTransport, stderrAlone = false): string | undefined {
  return childReports.get(transport)?.describe(stderrAlone);
}

export function createStdioTransport(name: string, config: StdioUpstreamConfig & { withholdEnv?: readonly string[] }): StdioClientTransport {
  // The config's env goes over what servers need of ours (PATH, proxies, CAs, locale, ...), never all of it.
  const env = childEnvironment(process.env, { inherit: config.inheritEnv, withhold: config.withholdEnv ?? [], env: config.env });
  const transport = new StdioClientTransport({
    ...(USE_GUARDIAN
      ? { command: process.execPath, args: [GUARDIAN, String(GRACE_MS), config.command, ...config.args] }
      : { command: config.command, args: config.args }),
    env: USE_GUARDIAN ? guardianEnvironment(env) : env,
    cwd: config.cwd,
    stderr: 'pipe',
  });
  // The child's stderr is its log: kept, tagged with the upstream's name, off our stdout, bounded.
  const stderr = transport.stderr;
  if (stderr) logLines(stderr as Readable, name);
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
      // Under the guardian a missing command would only show as an early exit: say it plainly.
      if (USE_GUARDIAN && !findExecutable(config.command, env.PATH, config.cwd)) throw Object.assign(new Error(`spawn ${config.command} ENOENT`), { code: 'ENOENT' });
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
