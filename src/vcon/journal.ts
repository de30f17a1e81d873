// A vCon's journal: its entries as JSON Lines, appended while the session runs, so that a
// crash (kill -9, power loss) leaves everything that crossed on disk. On the next start every
// journal still there becomes a vCon (recovery in recording.ts). Writes go through a write
// stream: append() never waits for the disk, and a disk error is reported once, not thrown.
import { createWriteStream, readdirSync, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { JournalEntry } from './types.js';

export const JOURNAL_SUFFIX = '.journal.jsonl';

export class Journal {
  private readonly stream: WriteStream;
  private failed = false;

  constructor(
    readonly file: string,
    onError: (error: Error) => void,
  ) {
    this.stream = createWriteStream(file, { flags: 'a' });
    this.stream.on('error', (error) => {
      if (!this.failed) onError(error);
      this.failed = true;
    });
  }

  append(entries: readonly JournalEntry[]): void {
    if (this.failed || entries.length === 0) return;
    this.stream.write(entries.map((entry) => JSON.stringify(entry)).join('\n') + '\n');
  }

  /** Resolves once everything appended is on disk (or the disk refused it). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.failed || this.stream.destroyed) return resolve();
      this.stream.end(() => resolve());
      this.stream.once('error', () => resolve());
    });
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
      return !Number.isInteger(pid) || pid === process.pid || !isAlive(pid);
    })
    .map((name) => path.join(dir, name));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
