// A vCon's journal: its entries as JSON Lines, appended while the session runs, so that a
// crash (kill -9) leaves everything that crossed on disk. On the next start every journal still
// there becomes a vCon (recovery in recording.ts). An append is one synchronous write to an open
// file descriptor: once append() returns, the lines are in the kernel's hands, and a process
// killed right after sending the message loses none of it. (Power loss would need an fsync
// per message; that is not what this guards against.) A disk error is reported once, not thrown.
import { closeSync, openSync, readdirSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { JournalEntry } from './types.js';
import { isProcessAlive } from '../processAlive.js';

export const JOURNAL_SUFFIX = '.journal.jsonl';

export class Journal {
  private fd?: number;
  private failed = false;

  constructor(
    readonly file: string,
    private readonly onError: (error: Error) => void,
  ) {
    try {
      this.fd = openSync(file, 'a');
    } catch (error) {
      this.fail(error as Error);
    }
  }

  /** Appends lines (JSON, without their newline) in one write. */
  append(lines: readonly string[]): void {
    if (this.fd === undefined || lines.length === 0) return;
    try {
      writeSync(this.fd, lines.length === 1 ? lines[0] + '\n' : lines.join('\n') + '\n');
    } catch (error) {
      this.fail(error as Error);
    }
  }

  /** Everything appended is already written; this lets go of the file. */
  async close(): Promise<void> {
    const fd = this.fd;
    this.fd = undefined;
    if (fd === undefined) return;
    try {
      closeSync(fd);
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private fail(error: Error): void {
    if (!this.failed) this.onError(error);
    this.failed = true;
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // already unusable
      }
    }
    this.fd = undefined;
  }
}

/** A journal's entries; a line cut short by a crash is skipped. */
export async function readJournal(file: string): Promise<JournalEntry[]> {
  const text = await readFile(file, 'utf8');
  const entries: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch {
      // the last line of a journal written until a crash
    }
  }
  return entries;
}

/** A journal's file name: the vCon's uuid and the pid of the process writing it. */
export function journalName(uuid: string): string {
  return `${uuid}.${process.pid}${JOURNAL_SUFFIX}`;
}

/**
 * Journals whose writer is gone (crashed, killed): those are unfinished sessions to recover.
 * Several proxies may share a folder, so a journal a live process still writes is left alone.
 * Synchronous, so that it runs before this process opens journals of its own.
 */
export function listOrphanedJournals(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith(JOURNAL_SUFFIX))
    .filter((name) => {
      const pid = Number(name.split('.')[1]);
      return !Number.isInteger(pid) || pid === process.pid || !isProcessAlive(pid);
    })
    .map((name) => path.join(dir, name));
}
