// The SDK's stdio client transport reads newline-delimited JSON-RPC with a ReadBuffer: it skips
// a line that is not JSON without a word, and drops one that is JSON but not JSON-RPC reporting
// only the parser's error. This hands such a line to `onUnparsed` first, with whether it was
// JSON at all, so that a child's stray stdout output can be named. (The client-facing stdio
// listener has a reader of its own.)
import type { Transport } from '@modelcontextprotocol/server';

export interface UnparsedLine {
  line: string;
  /** false: not JSON at all; true: JSON, but not a JSON-RPC message. */
  json: boolean;
}

interface ReadBufferLike {
  _buffer?: Buffer;
  readMessage(): unknown;
}

/** Taps the transport's private ReadBuffer (the SDK offers no hook); a no-op if it is renamed. */
export function tapUnparsedLines(transport: Transport, onUnparsed: (unparsed: UnparsedLine) => void): void {
  const buffer = (transport as unknown as { _readBuffer?: ReadBufferLike })._readBuffer;
  if (!buffer || typeof buffer.readMessage !== 'function') return;
  const readMessage = buffer.readMessage.bind(buffer);
  buffer.readMessage = () => {
    // Lines that cannot be JSON are taken off here, before the SDK would skip them unseen.
    for (let end = buffer._buffer?.indexOf('\n') ?? -1; end >= 0; end = buffer._buffer?.indexOf('\n') ?? -1) {
      const head = buffer._buffer!.toString('utf8', 0, end).replace(/\r$/, '');
      if (/^\s*([[{]|$)/.test(head)) break;
      buffer._buffer = buffer._buffer!.subarray(end + 1);
      onUnparsed({ line: head, json: false });
    }
    const pending = buffer._buffer;
    const end = pending ? pending.indexOf('\n') : -1;
    const line = pending && end >= 0 ? pending.toString('utf8', 0, end).replace(/\r$/, '') : undefined;
    try {
      return readMessage();
    } catch (error) {
      if (line !== undefined) onUnparsed({ line, json: !(error instanceof SyntaxError) });
      throw error;
    }
  };
}
