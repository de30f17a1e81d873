// The transport an HTTP session's server sees: the SDK's Streamable HTTP transport, with the
// session's plain POSTs answered here. A POST that carries one request answers with
// `application/json` when its answer is all it has to say and comes within HOLD_MS: no SSE
// stream, priming event, stored event or encoder for it, and the client reads one JSON body.
// When the server has something to send first (progress, a log line, a request to the client:
// any message sent in relation to the request), or the answer takes longer, the exchange is
// handed to the SDK transport as it was, and everything goes out on its resumable SSE stream.
// The spec lets a server choose either per request. A fast lane result (sendResultBytes) goes
// into the JSON body as the upstream wrote it. Anything else (GET, DELETE, batches,
// notifications, responses, and POSTs with odd headers or shapes the SDK words errors for)
// goes to the SDK transport unchanged.
import { isJsonContentType, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';
import type { JSONRPCMessage, MessageExtraInfo, RequestId, Transport, TransportSendOptions, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { asJsonRpcMessage } from '../jsonRpcShape.js';
import type { ResultBytesSender } from './serializedSend.js';
import { requestOf, serveExchange, writeResponse } from './webExchange.js';

/**
 * How long an answer may be held back for a JSON response. A slower one goes out on an SSE
 * stream, whose priming event lets the client resume it if the connection drops (a held JSON
 * answer cannot be resumed): most calls through a proxy answer in a few milliseconds.
 */
export const HOLD_MS = 100;

type Request = { jsonrpc: '2.0'; id: RequestId; method: string; params?: Record<string, unknown> };

interface Exchange {
  readonly request: Request;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  timer?: NodeJS.Timeout;
  /** The client hung up before the answer: it is dropped when it comes (a JSON answer is not resumable). */
  gone?: boolean;
  /** Messages for it while the SDK transport takes it over, sent in order once it has. */
  queued?: Array<[JSONRPCMessage, TransportSendOptions | undefined]>;
}

export class HttpSessionTransport implements Transport, ResultBytesSender {
  /** Exchanges whose answer is held for a JSON response, by request id. */
  private readonly held = new Map<RequestId, Exchange>();
  /** Exchanges being handed to the SDK transport, by request id. */
  private readonly handing = new Map<RequestId, Exchange>();
  private versions: readonly string[] = SUPPORTED_PROTOCOL_VERSIONS;
  private closed = false;
  onmessage?: Transport['onmessage'];
  onclose?: Transport['onclose'];
  onerror?: Transport['onerror'];

  constructor(readonly sdk: WebStandardStreamableHTTPServerTransport) {
    sdk.onmessage = (message, extra) => {
      // A request handed over reaches the SDK transport again: the session has it already.
      if ('id' in message && 'method' in message && this.handing.has(message.id)) return;
      this.onmessage?.(message, extra);
    };
    sdk.onclose = () => {
      this.closed = true;
      for (const exchange of this.held.values()) this.answer(exchange, { jsonrpc: '2.0', id: exchange.request.id, error: { code: -32000, message: 'Connection closed: the session ended' } });
      this.onclose?.();
    };
    sdk.onerror = (error) => this.onerror?.(error);
  }

  get sessionId(): string | undefined {
    return this.sdk.sessionId;
  }

  start(): Promise<void> {
    return this.sdk.start();
  }

  close(): Promise<void> {
    return this.sdk.close();
  }

  setSupportedProtocolVersions(versions: string[]): void {
    this.versions = versions;
    this.sdk.setSupportedProtocolVersions(versions);
  }

  /** Serves one HTTP exchange of the session. */
  serve(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const request = this.answerable(req, body);
    if (!request || this.held.has(request.id) || this.handing.has(request.id)) return serveExchange(this.sdk, req, res, body);
    const exchange: Exchange = { request, req, res };
    this.held.set(request.id, exchange);
    exchange.timer = setTimeout(() => this.handOver(exchange), HOLD_MS);
    res.once('close', () => {
      if (this.held.get(request.id) !== exchange || res.writableFinished) return;
      exchange.gone = true;
      clearTimeout(exchange.timer);
    });
    const extra: MessageExtraInfo = { request: requestOf(req) };
    this.onmessage?.(request, extra);
    return Promise.resolve();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const answers = 'id' in message && !('method' in message);
    const id = answers ? message.id : options?.relatedRequestId;
    if (id !== undefined && id !== null) {
      const exchange = this.held.get(id);
      if (exchange) {
        if (answers || exchange.gone) {
          // Its answer (or anything for a client that hung up, which nothing can reach now).
          if (answers) this.answer(exchange, message);
          return Promise.resolve();
        }
        this.handOver(exchange);
      }
      const queued = this.handing.get(id)?.queued;
      if (queued) return void queued.push([message, options]), Promise.resolve();
    }
    return this.sdk.send(message, options);
  }

  /** A fast lane result, as the upstream wrote it: a held exchange's JSON body; parsed, for a stream or a client gone. */
  sendResultBytes(id: RequestId, head: Buffer, tail: string): Promise<void> {
    const exchange = this.held.get(id);
    if (!exchange) return this.send(JSON.parse(head.toString('utf8') + tail) as JSONRPCMessage);
    this.answer(exchange, Buffer.concat([head, Buffer.from(tail)]));
    return Promise.resolve();
  }

  /** The request a POST carries, when this can answer it: one well-formed request, with the headers the SDK transport requires. */
  private answerable(req: IncomingMessage, body: unknown): Request | undefined {
    if (this.closed || req.method !== 'POST') return undefined;
    // What the SDK transport's message schema would take, and a request (an id and a method) other than initialize.
    const message = asJsonRpcMessage(body) as Partial<Request> | undefined;
    if (message?.id === undefined || message.method === undefined || message.method === 'initialize') return undefined;
    const accept = req.headers.accept;
    if (!accept?.includes('application/json') || !accept.includes('text/event-stream')) return undefined;
    if (!isJsonContentType(req.headers['content-type'] ?? null)) return undefined;
    const version = req.headers['mcp-protocol-version'];
    if (version !== undefined && !this.versions.includes(version as string)) return undefined;
    return message as Request;
  }

  /** Ends a held exchange with its answer: the message, or its JSON already serialized. */
  private answer(exchange: Exchange, answer: JSONRPCMessage | Buffer): void {
    this.held.delete(exchange.request.id);
    clearTimeout(exchange.timer);
    const { res } = exchange;
    if (exchange.gone || res.destroyed || res.headersSent) return;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.sdk.sessionId !== undefined) headers['mcp-session-id'] = this.sdk.sessionId;
    res.writeHead(200, headers).end(Buffer.isBuffer(answer) ? answer : JSON.stringify(answer));
  }

  /** The exchange becomes the SDK transport's SSE stream; what was sent for it meanwhile follows in order. */
  private handOver(exchange: Exchange): void {
    const { id } = exchange.request;
    this.held.delete(id);
    clearTimeout(exchange.timer);
    if (exchange.gone) return;
    exchange.queued = [];
    this.handing.set(id, exchange);
    void this.sdk
      .handleRequest(requestOf(exchange.req), { parsedBody: exchange.request })
      .then(
        (response) => {
          this.flush(exchange);
          return writeResponse(response, exchange.res);
        },
        (error: Error) => {
          this.flush(exchange);
          this.onerror?.(error);
          if (!exchange.res.headersSent) exchange.res.writeHead(500).end();
        },
      );
  }

  private flush(exchange: Exchange): void {
    this.handing.delete(exchange.request.id);
    for (const [message, options] of exchange.queued ?? []) this.sdk.send(message, options).catch((error: Error) => this.onerror?.(error));
    exchange.queued = undefined;
  }
}
