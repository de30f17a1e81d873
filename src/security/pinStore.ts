// The pin file on disk: read (missing means empty), written atomically (a temp file renamed over
// it, so a crash or a concurrent reader never sees half a file).
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { emptyPinFile, type PinFile } from './pins.js';

export function readPins(file: string): PinFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyPinFile();
    throw error;
  }
  const data = JSON.parse(text) as PinFile;
  if (data?.version !== 1 || typeof data.upstreams !== 'object') throw new Error(`${file}: not an mcproxy pin file (version 1)`);
  return data;
}

export function writePins(file: string, pins: PinFile): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(pins, null, 2) + '\n');
  renameSync(temporary, file);
}

/** Changes whenever the file is replaced or written (inode, time, size): tells when to re-read it. */
export function pinsStamp(file: string): string {
  try {
    // Asked on every routed request: no exception (and its stack) for a file not there yet.
    const stat = statSync(file, { throwIfNoEntry: false });
    return stat ? `${stat.ino}:${stat.mtimeMs}:${stat.size}` : 'missing';
  } catch {
    return 'missing';
  }
}
