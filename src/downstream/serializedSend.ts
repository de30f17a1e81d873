// What a client's transport may take besides message objects, so that the fast lane
// (session/fastLane.ts) can hand on an upstream's answer without parsing and serializing it
// again. The stdio transport writes serialized pieces; the recorder's tap over it (vcon/transport.ts)
// and an HTTP session (sessionTransport.ts) take a result as the upstream wrote it.
import type { RequestId } from '@modelcontextprotocol/server';

/** A transport that also writes messages already serialized (the fast lane's results, the recorder's text). */
export interface SerializedSender {
  sendSerialized(pieces: ReadonlyArray<string | Uint8Array>): Promise<void>;
}

/** A transport that takes the fast lane's results as bytes. */
export interface ResultBytesSender {
  /** The response to `id`: `head`, the upstream's line up to its id, then `tail`, the id and the closing brace. */
  sendResultBytes(id: RequestId, head: Buffer, tail: string): Promise<void>;
}
