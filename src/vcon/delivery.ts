// Where finished vCons go. Always: <dir>/<uuid>.vcon.json, written atomically (temp file, then
// rename). With a conserver: a copy waits in <dir>/spool/ until the conserver accepts it; a
// vCon it refuses for good (403, 422, other 4xx but 408/429) moves to <dir>/rejected/ beside
// a <uuid>.reason.txt; what failed for now (5xx, 408, 429, network) stays spooled and is
// retried in the background, across restarts. Posting is idempotent by uuid.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConserverClient, PostOutcome } from './conserver.js';

export const VCON_SUFFIX = '.vcon.json';

export interface DeliveryListener {
  posted(uuid: string, status: number): void;
  failed(uuid: string, reason: string): void;
}

export interface SpoolReport {
  delivered: string[];
  rejected: { uuid: string; reason: string }[];
  pending: { uuid: string; reason: string }[];
}

export class Delivery {
  readonly spoolDir: string;
  readonly rejectedDir: string;
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<SpoolReport>;

  constructor(
    readonly dir: string,
    readonly conserver: ConserverClient | undefined,
    private readonly listener: DeliveryListener,
  ) {
    this.spoolDir = path.join(dir, 'spool');
    this.rejectedDir = path.join(dir, 'rejected');
  }

  async prepare(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    if (this.conserver) await mkdir(this.spoolDir, { recursive: true });
  }

  /** Writes the vCon locally and, with a conserver, into the spool until it is accepted. */
  async store(uuid: string, json: string): Promise<void> {
    await writeAtomically(path.join(this.dir, uuid + VCON_SUFFIX), json);
    if (this.conserver) await writeAtomically(path.join(this.spoolDir, uuid + VCON_SUFFIX), json);
  }

  /** Posts a stored vCon (with retries); what cannot be posted now stays in the spool. */
  async send(uuid: string, json: string): Promise<PostOutcome | undefined> {
    if (!this.conserver) return undefined;
    const outcome = await this.conserver.post(json);
    await this.settle(uuid, path.join(this.spoolDir, uuid + VCON_SUFFIX), outcome);
    return outcome;
  }

  /** A vCon that failed its own checks: kept in rejected/ with the reasons, never posted. */
  async reject(uuid: string, json: string, reasons: string[]): Promise<void> {
    await mkdir(this.rejectedDir, { recursive: true });
    await writeAtomically(path.join(this.rejectedDir, uuid + VCON_SUFFIX), json);
    await writeFile(path.join(this.rejectedDir, `${uuid}.reason.txt`), reasons.join('\n') + '\n');
    this.listener.failed(uuid, reasons.join('; '));
  }

  /** Posts everything in the spool once (each with its retries); one flush at a time. */
  flushSpool(): Promise<SpoolReport> {
    this.flushing ??= this.flushOnce().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** Retries the spool every `intervalMs` until stopped. */
  startBackground(intervalMs: number): void {
    if (!this.conserver || this.timer) return;
    this.timer = setInterval(() => void this.flushSpool().catch(() => {}), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async flushOnce(): Promise<SpoolReport> {
    const report: SpoolReport = { delivered: [], rejected: [], pending: [] };
    if (!this.conserver) return report;
    const names = (await readdir(this.spoolDir).catch(() => [] as string[])).filter((name) => name.endsWith(VCON_SUFFIX));
    for (const name of names) {
      const file = path.join(this.spoolDir, name);
      const uuid = name.slice(0, -VCON_SUFFIX.length);
      let json: string;
      try {
        json = await readFile(file, 'utf8');
      } catch {
        continue; // settled by a concurrent post meanwhile
      }
      const outcome = await this.conserver.post(json);
      await this.settle(uuid, file, outcome);
      if (outcome.kind === 'delivered') report.delivered.push(uuid);
      else (outcome.kind === 'rejected' ? report.rejected : report.pending).push({ uuid, reason: outcome.reason });
    }
    return report;
  }

  private async settle(uuid: string, spooled: string, outcome: PostOutcome): Promise<void> {
    if (outcome.kind === 'delivered') {
      await rm(spooled, { force: true });
      this.listener.posted(uuid, outcome.status);
    } else if (outcome.kind === 'rejected') {
      await mkdir(this.rejectedDir, { recursive: true });
      await writeFile(path.join(this.rejectedDir, `${uuid}.reason.txt`), outcome.reason + '\n');
      // A background flush may have settled it first (posting is idempotent): nothing to move then.
      await rename(spooled, path.join(this.rejectedDir, uuid + VCON_SUFFIX)).catch(() => {});
      this.listener.failed(uuid, `conserver rejected it: ${outcome.reason}`);
    } else {
      this.listener.failed(uuid, `conserver unavailable, kept in the spool: ${outcome.reason}`);
    }
  }
}

/** Readers never see half a file: write a temp file beside it, then rename over. */
export async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, text);
  await rename(temp, file);
}
