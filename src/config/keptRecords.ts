// Small records the proxy keeps between launches in its data folder (the launch plan, the
// validated config, listing snapshots), one JSON file each, by a hash of the config file's path
// (of the upstream's launch for a snapshot), the most recent few only. Losing one is only a cost: a file that cannot be read or written is treated as empty.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Records kept per file: a user has a config or two, a test suite has hundreds of passing ones. */
const KEPT = 8;

/** The key of a config file's record: its absolute path, hashed. */
export const recordKey = (configFile: string) => createHash('sha256').update(path.resolve(configFile)).digest('hex');

export function readRecords<T>(file: string): Record<string, T> {
  try {
    const records = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return records && typeof records === 'object' ? (records as Record<string, T>) : {};
  } catch {
    return {}; // none yet, or unreadable: the next write starts it anew
  }
}

/** Sets one record and keeps the `most` recent (by `at`), written whole and readable by the user alone. */
export function writeRecord<T extends { at: number }>(file: string, key: string, record: T, most = KEPT): void {
  try {
    const records = readRecords<T>(file);
    records[key] = record;
    const kept = Object.entries(records)
      .sort(([, a], [, b]) => (b.at ?? 0) - (a.at ?? 0))
      .slice(0, most);
    mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(Object.fromEntries(kept))}\n`, { mode: 0o600 });
    renameSync(temporary, file);
  } catch {
    // Only a cost: the next launch does without.
  }
}
