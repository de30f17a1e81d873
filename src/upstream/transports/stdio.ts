// A stdio upstream: a child process speaking MCP on its stdin/stdout (childTransport.ts), in a
// process group of its own that goes away with the connection or with the proxy, grandchildren
// included (the watchdog, watchdog.ts, sees to it when the proxy is killed).
import type { Readable } from 'node:stream';
// Types only: this module may load before the config (cli/launchPlan.ts), and schema.js brings zod.
import type { StdioUpstreamConfig, UpstreamConfig } from '../../config/schema.js';
import { log } from '../../log.js';
import { ChildProcessTransport } from './childTransport.js';
import { ChildReport } from './childReport.js';
import { STARTED_AHEAD } from './earlyChildren.js';
import { logLines } from './stderrLines.js';
import { childEnvironment } from '../childEnv.js';

/** How long the upstream's group gets between SIGTERM and SIGKILL. */
const GRACE_MS = 1_500;

/** Children still running. If the proxy exits, their groups are told to end (the watchdog follows up). */
const liveChildren = new Set<number>();
process.once('exit', () => {
  for (const pid of liveChildren) {
    try {
      process.kill(process.platform === 'win32' ? pid : -pid, process.platform === 'win32' ? 'SIGKILL' : 'SIGTERM');
    } catch {
      // already gone
    }
  }
});

const childReports = new WeakMap<ChildProcessTransport, ChildReport>();

/** What went wrong with the child behind `transport`, in words ("exited with code 1; last stderr: ..."), if anything did. */
export function describeChild(transport: ChildProcessTransport, stderrAlone = false): string | undefined {
  return childReports.get(transport)?.describe(stderrAlone);
}

type StdioConfig = StdioUpstreamConfig & { withholdEnv?: readonly string[] };

/** Children started ahead of their connection, by upstream name, with the config they were started for. */
const spares = new Map<string, { config: string; transport: ChildProcessTransport }>();
/** Probe siblings started ahead of upstreams whose era is not known yet (ChildProcessTransport.startSibling), by upstream name: each ends its own if unused. */
const siblings = new Map<string, () => Promise<void>>();
/** The stderr of children started before the config's logging applied (level, file, secrets): held until releaseStderr(). */
const heldStderr = new Set<Readable>();

/**
 * Starts a stdio upstream's process now, for the connection that will ask for it: a client that
 * launches mcproxy says hello while its servers start, instead of before. The MCP handshake
 * still waits for the client's (its capabilities go upstream). Not done by a proxy that was
 * itself started ahead.
 */
export function startAhead(upstreams: readonly UpstreamConfig[], options: { holdStderr?: boolean } = {}): void {
  if (process.env[STARTED_AHEAD]) return;
  for (const config of upstreams) {
    if (!('command' in config)) continue;
    const started = spares.get(config.name);
    if (started?.config === JSON.stringify(config)) continue;
    // One started from an older launch plan (cli/launchPlan.ts) gives way to the config as it is now.
    if (started) {
      spares.delete(config.name);
      void started.transport.close();
      void siblings.get(config.name)?.();
      siblings.delete(config.name);
    }
    const transport = createStdioTransport(config.name, { ...config, env: { ...config.env, [STARTED_AHEAD]: '1' } });
    spares.set(config.name, { config: JSON.stringify(config), transport });
    if (options.holdStderr) {
      transport.stderr.pause();
      heldStderr.add(transport.stderr);
    }
    transport.start().catch(() => {}); // a failed start is the connection's to report, when it takes this one
    startProbeSibling(config, transport);
  }
}

/**
 * `protocol: auto` with no era remembered: the connection's first attempt probes on a sibling
 * process (eraVerdicts.ts), started now beside this one. Loaded apart: it brings the verdict file.
 */
function startProbeSibling(config: UpstreamConfig, transport: ChildProcessTransport): void {
  void import('../eraVerdicts.js').then(({ negotiationFor, priorVerdict }) => {
    if (spares.get(config.name)?.transport !== transport || !negotiationFor(config)?.probe || priorVerdict(config) !== undefined) return;
    siblings.set(config.name, ChildProcessTransport.startSibling(transport));
  });
}

/** Logs what the children started with holdStderr wrote, and what they write from now on. */
export function releaseStderr(): void {
  for (const stderr of heldStderr) stderr.resume();
  heldStderr.clear();
}

/** Ends every child started ahead and not taken: the proxy is not going to serve (a config error, say). */
export async function dropAhead(): Promise<void> {
  const left = [...spares.values()];
  const unprobed = [...siblings.values()];
  spares.clear();
  siblings.clear();
  await Promise.all([...left.map(({ transport }) => transport.close().catch(() => {})), ...unprobed.map((end) => end().catch(() => {}))]);
}

/** The child started ahead for this upstream and config, if there is one; one for another config is closed. */
function takeSpare(name: string, config: StdioConfig): ChildProcessTransport | undefined {
  const spare = spares.get(name);
  if (!spare) return undefined;
  spares.delete(name);
  const child = spare.transport.process;
  const exited = child !== undefined && (child.exitCode !== null || child.signalCode !== null);
  if (spare.config === JSON.stringify(config) && !exited) return spare.transport;
  void spare.transport.close();
  void siblings.get(name)?.();
  siblings.delete(name);
  return undefined;
}

export function createStdioTransport(name: string, config: StdioConfig): ChildProcessTransport {
  const spare = takeSpare(name, config);
  if (spare) return spare;
  // The config's env goes over what servers need of ours (PATH, proxies, CAs, locale, ...), never all of it.
  const env = childEnvironment(process.env, { inherit: config.inheritEnv, withhold: config.withholdEnv ?? [], env: config.env });
  // What the child did, for errors that say why it failed: exit, stderr tail, stray stdout.
  const report = new ChildReport(config.command);
  const transport = new ChildProcessTransport({
    command: config.command,
    args: config.args,
    env,
    cwd: config.cwd,
    graceMs: GRACE_MS,
    onUnparsed: (line) => {
      if (report.noteStrayOutput(line)) log.warn(`wrote non-protocol output on stdout (only MCP messages belong there; logs go to stderr): ${JSON.stringify(line.slice(0, 200))}`, { upstream: name });
    },
  });
  childReports.set(transport, report);
  // The child's stderr is its log: kept, tagged with the upstream's name, off our stdout, bounded.
  logLines(transport.stderr as Readable, name);
  transport.stderr.on('data', (chunk: Buffer) => report.noteStderr(chunk));
  let closing = false;
  const close = transport.close.bind(transport);
  transport.close = async () => {
    closing = true;
    await close();
  };
  const start = transport.start.bind(transport);
  let started: Promise<void> | undefined;
  transport.start = () => (started ??= startChild());
  const startChild = async () => {
    try {
      await start();
    } catch (error) {
      throw report.spawnError(error);
    }
    const child = transport.process!;
    const pid = child.pid!;
    liveChildren.add(pid);
    child.once('exit', (code, signal) => {
      liveChildren.delete(pid);
      report.noteExit(code, signal);
      // An exit the proxy asked for (closing the transport) is no news.
      log.log(closing ? 'debug' : 'warn', `process ${report.describeExit()}`, { upstream: name });
    });
  };
  return transport;
}
