// Writes made in one tick leave together: the stream is corked at the first and uncorked on the
// next tick, so that the answers to calls in flight share one write (one system call, one
// wake-up of the reader) instead of one each. A lone message waits one tick at most.
import type { Writable } from 'node:stream';

/** Writes `data` to `stream` as part of this tick's batch; returns what write() returns. */
export function writeBatched(stream: Writable, data: string | Uint8Array): boolean {
  if (stream.writableCorked === 0) {
    stream.cork();
    process.nextTick(uncork, stream);
  }
  return stream.write(data);
}

function uncork(stream: Writable): void {
  stream.uncork();
}
