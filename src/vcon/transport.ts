// The one place the recorder taps a session: a wrapper around the client-side transport that
// sees every JSON-RPC message, in order, both ways, and passes everything through untouched
// (send options, onmessage extras, sessionId, setProtocolVersion), so it works over stdio and
// Streamable HTTP alike. A transport that takes serialized messages (the stdio one) gets the
// text the journal keeps: each message is serialized once. That transport writes at the end of
// the tick (batchedWrites.ts), which lets the recorder batch its journal writes too. Over such a
// transport the fast lane's results go as the upstream wrote them (sendResultBytes): the journal
// gets their text, and nothing is parsed or serialized again.
import type { Transport, TransportSendOptions, JSONRPCMessage, MessageExtraInfo, RequestId } from '@modelcontextprotocol/server';
import type { ResultBytesSender, SerializedSender } from '../downstream/serializedSend.js';

export interface MessageTap {
  incoming(message: JSONRPCMessage): void;
  /** `text`: the message's JSON as the transport sends it, when serialized here. */
  outgoing(message: JSONRPCMessage, options?: TransportSendOptions, text?: string): void;
  /** A result sent already serialized (`text`: the response's JSON) to the request `id`. */
  outgoingResult(id: RequestId, text: string): void;
  /** The transport closed: the client is gone. */
  closed(): void;
}

export class TappedTransport implements Transport {
  private closeHandler: Transport['onclose'];
  private readonly serialized?: SerializedSender;
  /** Only over a transport that takes serialized messages: the fast lane looks for it. */
  readonly sendResultBytes?: ResultBytesSender['sendResultBytes'];
  /** The inner transport writes what it is sent at the end of the tick, not at once (the stdio one). */
  readonly writesAtTickEnd: boolean;

  constructor(
    readonly inner: Transport,
    private readonly tap: MessageTap,
  ) {
    this.closeHandler = inner.onclose;
    if (typeof (inner as Partial<SerializedSender>).sendSerialized === 'function') this.serialized = inner as unknown as SerializedSender;
    this.writesAtTickEnd = this.serialized !== undefined;
    if (this.serialized) this.sendResultBytes = (id, head, tail) => this.sendResultBytesNow(id, head, tail);
    inner.onclose = () => {
      this.closeHandler?.();
      this.tap.closed();
    };
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (!this.serialized) {
      this.tap.outgoing(message, options);
      return this.inner.send(message, options);
    }
    // What the stdio transport's send() would write, serialized once for the journal and the wire.
    const text = JSON.stringify(message);
    this.tap.outgoing(message, options, text);
    return this.serialized.sendSerialized([text + '\n']);
  }

  /** ResultBytesSender's, when the inner transport takes serialized messages (the stdio one). */
  private sendResultBytesNow(id: RequestId, head: Buffer, tail: string): Promise<void> {
    this.tap.outgoingResult(id, head.toString('utf8') + tail);
    return this.serialized!.sendSerialized([head, tail + '\n']);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  get onmessage(): Transport['onmessage'] {
    return this.inner.onmessage;
  }

  set onmessage(handler: Transport['onmessage']) {
    this.inner.onmessage = handler
      ? <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => {
          this.tap.incoming(message);
          handler(message, extra);
        }
      : handler;
  }

  get onclose(): Transport['onclose'] {
    return this.closeHandler;
  }

  set onclose(handler: Transport['onclose']) {
    this.closeHandler = handler;
  }

  get onerror(): Transport['onerror'] {
    return this.inner.onerror;
  }

  set onerror(handler: Transport['onerror']) {
    this.inner.onerror = handler;
  }

  get setProtocolVersion(): Transport['setProtocolVersion'] {
    return this.inner.setProtocolVersion?.bind(this.inner);
  }
}
