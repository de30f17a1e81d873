// A recording: every session of one proxy (or of one wrapped server), each into its own vCons.
// It owns the journal folder, the builder, the checks and the delivery; sessions get a
// SessionRecorder each. On start it turns journals left by a crash into vCons and delivers
// them; on shutdown it closes every session's vCon and flushes within a bounded time.
import { EventEmitter } from 'node:events';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { VconBuilder } from './builder.js';
import { ConserverClient } from './conserver.js';
import { Delivery } from './delivery.js';
import { Finalizer } from './finalizer.js';
import { listOrphanedJournals } from './journal.js';
import type { RecordingOptions } from './options.js';
import { SessionRecorder, type RecorderHost, type UpstreamRef } from './recorder.js';
import { SessionManager } from './sessions.js';

/** The logger shape both entry points accept (winston's, console's). */
export interface VconLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** How long shutdown waits for sessions' vCons to be written and posted. */
export const SHUTDOWN_WAIT_MS = 5_000;

export class VconRecording extends EventEmitter implements RecorderHost {
  readonly sessions = new SessionManager();
  readonly builder = new VconBuilder();
  readonly conserver?: ConserverClient;
  readonly delivery: Delivery;
  readonly journalDir: string;
  private readonly inflight = new Set<Promise<void>>();
  private readonly finalizer = new Finalizer();
  private journalFailed = false;

  constructor(
    readonly options: RecordingOptions,
    protected readonly logger: VconLogger,
  ) {
    super();
    this.journalDir = path.join(options.dir, 'journal');
    if (options.conserver) this.conserver = new ConserverClient(options.conserver);
    this.delivery = new Delivery(options.dir, this.conserver, {
      posted: (uuid, status) => {
        this.debug(`vCon ${uuid} posted (HTTP ${status})`);
        this.emit('vcon:posted', { uuid, status });
      },
      failed: (uuid, reason) => {
        this.logger.warn(`vCon ${uuid}: ${reason}`);
        this.emit('vcon:error', { uuid, error: new Error(reason) });
      },
    });
  }

  get capture() {
    return this.options.capture;
  }

  get session() {
    return this.options.session;
  }

  /** Creates the folders, delivers what a crash left behind, and starts retrying the spool. */
  async start(): Promise<void> {
    // Listed first, synchronously: journals this process opens from now on are not leftovers.
    const leftovers = listOrphanedJournals(this.journalDir);
    await mkdir(this.journalDir, { recursive: true });
    await this.delivery.prepare();
    if (leftovers.length > 0) this.logger.info(`vCon: recovering ${leftovers.length} unfinished session journal(s)`);
    for (const file of leftovers) this.track(this.finalize(file, path.basename(file).split('.')[0], 'recovered'));
    const retry = this.options.conserver;
    if (retry) {
      this.delivery.startBackground(Math.min(60_000, (retry.retryDelayMs ?? 1_000) * 2 ** (retry.retryAttempts ?? 3)));
      void this.delivery.flushSpool().catch(() => {});
    }
  }

  /** A new session's recorder; `defaultParty` in library mode (one server behind the transport). */
  recorder(sessionId: string, defaultParty?: UpstreamRef): SessionRecorder {
    const recorder = new SessionRecorder(this, sessionId, defaultParty);
    this.sessions.add(recorder);
    this.emit('session:start', { sessionId });
    return recorder;
  }

  /** Ends one session's recording; resolves when its vCon is delivered (or kept for later). */
  async endSession(sessionId: string): Promise<void> {
    await this.sessions.get(sessionId)?.end();
  }

  async endAllSessions(): Promise<void> {
    await this.sessions.endAll();
  }

  /** Closes every session's vCon and waits, at most `waitMs`, for them to be written and posted. */
  async shutdown(waitMs = SHUTDOWN_WAIT_MS): Promise<void> {
    this.delivery.stop();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
    await Promise.race([Promise.all([this.endAllSessions(), ...this.inflight]), bound]);
    clearTimeout(timer);
    await this.finalizer.stop();
    await this.conserver?.close().catch(() => {});
  }

  // RecorderHost

  startEntry() {
    const { serverName, upstreams, tags, addAnalysis } = this.options;
    return { serverName, upstreams, tags, addAnalysis, maxInlineContentSize: this.options.maxInlineContentSize };
  }

  sessionEnded(sessionId: string): void {
    this.sessions.delete(sessionId);
    this.emit('session:end', { sessionId });
  }

  journalError(error: Error): void {
    if (this.journalFailed) return;
    this.journalFailed = true;
    this.logger.error(`vCon journal cannot be written, so vCons will miss messages (the proxy keeps serving): ${error.message}`);
  }

  finished(journalFile: string, uuid: string, sessionId: string): Promise<void> {
    return this.track(this.finalize(journalFile, uuid, sessionId));
  }

  /** Journal → vCon → checks (in the worker) → local file and conserver; the journal goes once the vCon is safe. */
  private async finalize(journalFile: string, uuid: string, sessionId: string): Promise<void> {
    try {
      const finished = await this.finalizer.finalize(journalFile);
      if (!finished) {
        await rm(journalFile, { force: true });
        return;
      }
      if (this.listenerCount('vcon:created') > 0) this.emit('vcon:created', { uuid: finished.uuid, sessionId, vcon: JSON.parse(finished.json) });
      if (finished.problems.length > 0) {
        this.logger.error(`vCon ${finished.uuid} fails its checks, kept in rejected/: ${finished.problems.join('; ')}`);
        await this.delivery.reject(finished.uuid, finished.json, finished.problems);
        await rm(journalFile, { force: true });
        return;
      }
      // Once written (and spooled), the vCon no longer needs its journal; posting may take long.
      await this.delivery.store(finished.uuid, finished.json);
      await rm(journalFile, { force: true });
      await this.delivery.send(finished.uuid, finished.json);
      this.debug(`vCon ${finished.uuid} written (${finished.messages} messages)`);
    } catch (error) {
      this.logger.error(`vCon ${uuid} could not be finished: ${(error as Error).message}`);
      this.emit('vcon:error', { uuid, error });
    }
  }

  track(work: Promise<void>): Promise<void> {
    this.inflight.add(work);
    void work.finally(() => this.inflight.delete(work));
    return work;
  }

  private debug(message: string): void {
    if (this.options.debug) this.logger.info(message);
    else this.logger.debug(message);
  }
}
