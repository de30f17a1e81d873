// An upstream's stderr, as log lines: each line cut at MAX_LINE characters (a child that writes
// megabytes without a newline cannot grow our memory), and at most BURST lines logged per
// second per upstream; the rest are counted and reported once the flood ends.
import type { Readable } from 'node:stream';
import { log } from '../../log.js';

const MAX_LINE = 8 * 1024;
const BURST = 100;

export function logLines(stream: Readable, upstream: string): void {
  let partial = '';
  let windowStart = 0;
  let logged = 0;
  let dropped = 0;

  const emit = (line: string) => {
    const now = Date.now();
    if (now - windowStart >= 1000) {
      if (dropped > 0) log.warn(`${dropped} stderr lines not logged (more than ${BURST} a second)`, { upstream });
      windowStart = now;
      logged = 0;
      dropped = 0;
    }
    if (logged++ < BURST) log.info(line, { upstream });
    else dropped++;
  };

  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    if (partial.length > MAX_LINE) {
      lines.push(`${partial.slice(0, MAX_LINE)}… (line cut at ${MAX_LINE} characters)`);
      partial = '';
    }
    for (const line of lines) emit(line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}… (line cut at ${MAX_LINE} characters)` : line.replace(/\r$/, ''));
  });
  stream.on('end', () => {
    if (partial) emit(partial);
    if (dropped > 0) log.warn(`${dropped} stderr lines not logged (more than ${BURST} a second)`, { upstream });
  });
}
