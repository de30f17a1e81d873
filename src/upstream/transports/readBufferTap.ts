// The SDK's stdio client transport reads newline-delimited JSON-RPC with a ReadBuffer and
// drops a line that does not parse, reporting only the parser's error. This hands such a line
// to `onUnparsed` first, with whether it was JSON at all, so that a child's stray stdout
// output can be named. (The client-facing stdio listener has a reader of its own.)
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

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
