// The client side of a stdio upstream: a child process speaking newline-delimited JSON-RPC on
// its stdin/stdout, in place of the SDK's StdioClientTransport for two reasons:
// - hygiene without a second process per upstream: on POSIX the child leads a process group of
//   its own (an npx/uvx wrapper's grandchildren join it), and the whole group ends when the
//   connection closes, when the child exits (whatever it left behind goes too), and, through the
//   watchdog (watchdog.ts), when the proxy dies, even by SIGKILL;
// - the hot path: a line is decoded once and checked by hand (jsonRpcShape.ts), where the SDK's
//   reader ran each message through a zod schema that copies it. Lines that are not JSON-RPC
//   are handed to `onUnparsed`, so that a child's stray stdout output can be named.
import type { Transport, JSONRPCMessage } from '@modelcontextprotocol/client';
import type { ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { writeBatched } from '../../batchedWrites.js';
import { asJsonRpcMessage } from '../../jsonRpcShape.js';
import { spawnFailure } from './childReport.js';
import { spawnChild, takeEarly, type SpawnParameters } from './earlyChildren.js';
import { watchGroup } from './watchdog.js';

const NEWLINE = 0x0a;
/** A line longer than this closes the connection (the SDK's reader has the same bound). */
const MAX_LINE_BYTES = 10 * 1024 * 1024;
const OWN_GROUP = process.platform !== 'win32';

export interface ChildTransportOptions extends SpawnParameters {
  /** How long the child's group gets between SIGTERM and SIGKILL. */
  graceMs: number;
  /** A line that is not a JSON-RPC message; `json`: it was JSON, only not JSON-RPC. */
  onUnparsed?: (line: string, json: boolean) => void;
  /** 'ignore': the child's stderr goes nowhere (the SDK's probe sibling asks for it). */
  stderr?: 'ignore';
}

/** Probe siblings started ahead (startSibling), by their spawn parameters (upstreams may share them), until the SDK's probe asks for one. */
const siblingsAhead = new Map<string, ChildProcessTransport[]>();
const spawnKey = ({ command, args, env, cwd, graceMs }: ChildTransportOptions) => JSON.stringify([command, args, env, cwd ?? null, graceMs]);

export class ChildProcessTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  /** The child's stderr, readable before start() (as the SDK's transport offers it). */
  readonly stderr = new PassThrough();
  process?: ChildProcess;
  /**
   * The fast lane's upstream side (session/fastLane.ts): takes the responses to its own ids
   * before the SDK Client would call them unknown, and fails its calls when the child is gone.
   */
  lane?: { takeLine(bytes: Buffer): boolean; take(message: Record<string, unknown>): boolean; close(): void };
  private pending: Buffer[] = [];
  private pendingSize = 0;
  private unwatch = () => {};
  private starting?: Promise<void>;
  private closing?: Promise<void>;
  private ending?: Promise<void>;

  constructor(private readonly options: ChildTransportOptions) {
    // The SDK's probe sibling (see _serverParams) for a server whose sibling started ahead: that one, already starting.
    const ahead = options.stderr === 'ignore' ? siblingsAhead.get(spawnKey(options))?.shift() : undefined;
    if (ahead) return ahead;
  }

  /**
   * Starts the probe sibling the SDK will ask for when it connects over `transport` with
   * `protocol: auto` and no era known (see _serverParams), so that its start runs beside the
   * proxy's instead of after the client's first request. Returns what ends it if no probe took it.
   */
  static startSibling(transport: ChildProcessTransport): () => Promise<void> {
    const params = { ...transport._serverParams, stderr: 'ignore' as const };
    const sibling = new ChildProcessTransport(params);
    const waiting = siblingsAhead.get(spawnKey(params)) ?? [];
    siblingsAhead.set(spawnKey(params), [...waiting, sibling]);
    sibling.start().catch(() => {}); // a failed start fails the probe that takes it
    return async () => {
      const left = siblingsAhead.get(spawnKey(params)) ?? [];
      if (!left.includes(sibling)) return; // taken: the SDK reaps it
      left.splice(left.indexOf(sibling), 1);
      await sibling._dispose();
    };
  }

  /**
   * For `protocol: auto`: the SDK probes a stdio server with `server/discover` on a short-lived
   * sibling process, so that a server that exits on an unknown first request does not cost the
   * child that will serve. It does so for transports that show their spawn parameters here and
   * can be built again from them (`new ChildProcessTransport({ ...params, stderr: 'ignore' })`),
   * and reaps the sibling with `_dispose`. The sibling's odd output is nobody's to report.
   */
  get _serverParams(): ChildTransportOptions {
    const { onUnparsed: _serving, ...params } = this.options;
    return params;
  }

  /** Reaps a probe sibling (see `_serverParams`): its whole group, without a grace period of EOF. */
  async _dispose(): Promise<void> {
    this.process?.stdin?.end();
    await this.endGroup();
  }

  get pid(): number | null {
    return this.process?.pid ?? null;
  }

  /** Spawns the child; called again (a child started ahead of its connection), the same start. */
  start(): Promise<void> {
    this.starting ??= this.spawn();
    return this.starting;
  }

  private spawn(): Promise<void> {
    return new Promise((resolve, reject) => {
      const stderr = this.options.stderr === 'ignore' ? 'ignore' : 'pipe';
      // The one a launch started before its bundle loaded (earlyChildren.ts), or a new one.
      const early = stderr === 'pipe' ? takeEarly(this.options) : undefined;
      const child = early?.child ?? spawnChild(this.options, stderr);
      this.process = child;
      const failed = (error: Error) => {
        // In words here, not only in stdio.ts: the SDK's probe sibling (_serverParams) fails the connect with it too.
        const failure = spawnFailure(this.options.command, error);
        reject(failure);
        this.onerror?.(failure);
      };
      const spawned = () => {
        if (OWN_GROUP && child.pid !== undefined) this.unwatch = early ? () => early.unwatch() : watchGroup(child.pid);
        resolve();
      };
      if (early?.failure) failed(early.failure);
      else if (early?.spawned) spawned();
      else {
        child.once('error', failed);
        child.once('spawn', spawned);
      }
      // The group leader is gone: what it left behind goes with it.
      child.once('exit', () => void this.endGroup());
      child.once('close', () => {
        this.lane?.close();
        this.onclose?.();
      });
      child.stdin!.on('error', (error) => this.onerror?.(error));
      child.stdout!.on('data', this.onData);
      child.stderr?.pipe(this.stderr);
    });
  }

  private readonly onData = (chunk: Buffer) => {
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, newline);
      start = newline + 1;
      if (this.pending.length === 0) this.handleLine(piece);
      else {
        this.pending.push(piece);
        const line = Buffer.concat(this.pending);
        this.pending = [];
        this.pendingSize = 0;
        this.handleLine(line);
      }
    }
    if (start === chunk.length) return;
    this.pending.push(chunk.subarray(start));
    this.pendingSize += chunk.length - start;
    if (this.pendingSize > MAX_LINE_BYTES) {
      this.pending = [];
      this.pendingSize = 0;
      this.onerror?.(new Error(`a message line exceeded ${MAX_LINE_BYTES} bytes`));
      void this.close();
    }
  };

  private handleLine(bytes: Buffer): void {
    if (this.lane?.takeLine(bytes)) return;
    let text = bytes.toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    const first = text.trimStart()[0];
    if (first !== '{' && first !== '[') {
      if (first !== undefined) this.options.onUnparsed?.(text, false);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      this.options.onUnparsed?.(text, false);
      this.onerror?.(error as Error);
      return;
    }
    const message = asJsonRpcMessage(value);
    if (!message) {
      this.options.onUnparsed?.(text, true);
      this.onerror?.(new Error(`not a JSON-RPC message: ${text.slice(0, 200)}`));
      return;
    }
    if (this.lane?.take(message as Record<string, unknown>)) return;
    this.onmessage?.(message);
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.process?.stdin;
    if (!stdin || this.closing) return Promise.reject(new Error('Not connected'));
    if (writeBatched(stdin, JSON.stringify(message) + '\n')) return Promise.resolve();
    return new Promise((resolve) => stdin.once('drain', resolve));
  }

  /** Ends the child: EOF on its stdin first (most servers exit on it), then its group by signal. */
  close(): Promise<void> {
    const child = this.process;
    if (!child) return Promise.resolve();
    this.closing ??= (async () => {
      const closed = new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
      child.stdin?.end();
      if (await within(closed, this.options.graceMs)) return;
      await this.endGroup();
    })();
    return this.closing;
  }

  /** SIGTERM to the child's group (the child alone where there are none), SIGKILL after the grace period. */
  private endGroup(): Promise<void> {
    this.ending ??= this.signalGroupAway();
    return this.ending;
  }

  private async signalGroupAway(): Promise<void> {
    const pid = this.process?.pid;
    if (pid === undefined) return;
    if (signal(pid, 'SIGTERM')) {
      const deadline = Date.now() + this.options.graceMs;
      while (signal(pid, 0)) {
        if (Date.now() >= deadline) {
          signal(pid, 'SIGKILL');
          break;
        }
        // Not unref'd: whoever awaits this (the SDK reaping a probe sibling) may have nothing else
        // keeping the process alive once the child's own handle has closed. The wait is bounded.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    // Gone: the watchdog must not signal a group id the system may give out again.
    this.unwatch();
  }
}

/** Sends `sig` to the group led by `pid` (on Windows, to the process); false when none of it is left. */
function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(OWN_GROUP ? -pid : pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** Whether `promise` settles within `ms`. */
function within(promise: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    timer.unref();
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
