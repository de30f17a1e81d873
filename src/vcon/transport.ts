// The one place the recorder taps a session: a wrapper around the client-side transport that
// sees every JSON-RPC message, in order, both ways, and passes everything through untouched
// (send options, onmessage extras, sessionId, setProtocolVersion), so it works over stdio and
// Streamable HTTP alike.
import type { Transport, TransportSendOptions, JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/server';

export interface MessageTap {
  incoming(message: JSONRPCMessage): void;
  outgoing(message: JSONRPCMessage, options?: TransportSendOptions): void;
  /** The transport closed: the client is gone. */
  closed(): void;
}

export class TappedTransport implements Transport {
  private closeHandler: Transport['onclose'];

  constructor(
    readonly inner: Transport,
    private readonly tap: MessageTap,
  ) {
    this.closeHandler = inner.onclose;
    inner.onclose = () => {
      this.closeHandler?.();
      this.tap.closed();
    };
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    this.tap.outgoing(message, options);
    return this.inner.send(message, options);
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
