// Which of the proxy's requests a server→client request arrived with. On Streamable HTTP a
// server sends the requests that belong to a call (sampling, elicitation during tools/call) on
// that call's POST response stream, and resumes that stream on a GET with Last-Event-ID. The
// SDK client does not say which stream a message came on, so the proxy reads along: each
// response body is watched as it passes, unchanged, to the SDK.
import type { RequestId } from '@modelcontextprotocol/server';

export class StreamOrigins {
  /** Server→client request id → the id of the proxy's request whose stream carried it. */
  private readonly requests = new Map<RequestId, RequestId>();
  /** The latest event id seen on each call's stream, and back: a resumed GET names it. */
  private readonly lastEventOf = new Map<RequestId, string>();
  private readonly callOfEvent = new Map<string, RequestId>();

  /** The call a server→client request came with, forgotten once asked. */
  take(serverRequestId: RequestId): RequestId | undefined {
    const call = this.requests.get(serverRequestId);
    this.requests.delete(serverRequestId);
    return call;
  }

  /** The call a resumed stream belongs to, from the Last-Event-ID it resumes after. */
  callResumedAt(lastEventId: string): RequestId | undefined {
    return this.callOfEvent.get(lastEventId);
  }

  /** A watcher for one response stream of `call` (undefined: the server's own GET stream). */
  watch(call: RequestId | undefined): (chunk: Uint8Array) => void {
    const decoder = new TextDecoder();
    let pending = '';
    let data: string[] = [];
    const dispatch = () => {
      if (data.length === 0 || call === undefined) return void (data = []);
      try {
        const message = JSON.parse(data.join('\n')) as { id?: RequestId; method?: unknown };
        if (typeof message.method === 'string' && message.id !== undefined) this.requests.set(message.id, call);
        // The call's answer: nothing more will resume this stream.
        if (message.method === undefined && message.id === call) this.forgetEvents(call);
      } catch {
        // Not JSON: the SDK reports it; nothing to learn here.
      }
      data = [];
    };
    return (chunk) => {
      pending += decoder.decode(chunk, { stream: true });
      let newline: number;
      while ((newline = pending.search(/\r\n|\r|\n/)) >= 0) {
        if (newline === pending.length - 1 && pending.endsWith('\r')) break; // its \n may be in the next chunk
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + (pending.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') dispatch();
        else if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
        else if (line.startsWith('id:') && call !== undefined) this.noteEvent(call, line.slice(line.startsWith('id: ') ? 4 : 3));
      }
    };
  }

  private noteEvent(call: RequestId, eventId: string): void {
    const previous = this.lastEventOf.get(call);
    if (previous !== undefined) this.callOfEvent.delete(previous);
    this.lastEventOf.set(call, eventId);
    this.callOfEvent.set(eventId, call);
  }

  private forgetEvents(call: RequestId): void {
    const last = this.lastEventOf.get(call);
    if (last !== undefined) this.callOfEvent.delete(last);
    this.lastEventOf.delete(call);
  }
}
