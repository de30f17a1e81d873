// Multi round-trip requests (2026-07-28 `input_required`) across the proxy, in every direction.
// - A 2026-07-28 client calls a legacy upstream, which asks for sampling, elicitation or roots
//   during the call: the upstream call is parked in this process, the client gets those
//   requests in an `input_required` result, and its retry answers them; the same upstream call
//   goes on (to its result, or to another round).
// - A modern upstream answers `input_required`: it is relayed with mcproxy's state wrapped around
//   the upstream's, so the retry reaches the same upstream with the upstream's own state. A
//   legacy client cannot take `input_required`: the SDK's legacy shim (which serveThroughSeam
//   puts in front of the route) asks it with real requests and re-enters the route with the
//   answers, so both eras share this file's one retry path.
// What mcproxy puts in requestState is signed and bound to the client (requestState.ts).
import { randomUUID } from 'node:crypto';
import { CLIENT_CAPABILITIES_META_KEY, MissingRequiredClientCapabilityError, PROTOCOL_VERSION_META_KEY, ProtocolErrorCode, isInputRequiredResult } from '@modelcontextprotocol/server';
import type { ClientCapabilities, InputRequiredResult, JSONRPCRequest, RequestOptions, Result, Server, ServerContext } from '@modelcontextprotocol/server';
import { log } from '../log.js';
import type { CallContext } from '../upstream/attachments.js';
import type { UpstreamConnection } from '../upstream/connection.js';
import { ForwardedError } from '../upstream/errors.js';
import { STATE_TTL_SECONDS, type ProxyState } from './requestState.js';
import { REQUIRED_CAPABILITY } from './serverRequests.js';
import type { ClientSession } from './session.js';

type Params = Record<string, unknown>;

/** The methods whose result may be `input_required`. */
const INPUT_REQUIRED_METHODS = new Set(['tools/call', 'prompts/get', 'resources/read']);

/** Rounds one call may take through mcproxy before it gives up on an upstream that keeps asking. */
export const MAX_INPUT_ROUNDS = 8;

/** After a legacy upstream's first request, how long to wait for the others it sends at once (one round, not several). */
const GATHER_MS = 20;

/** Sends the call upstream: these params, this context for what the upstream sends during it, these options. */
export type SendUpstream = (params: Params, context: CallContext, options: Pick<RequestOptions, 'signal' | 'allowInputRequired' | 'onprogress'>) => Promise<Result>;

type Handler = (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result>;

/**
 * Serves tools/call, prompts/get and resources/read through the SDK's input_required seam, which
 * the proxy's fallback handler would otherwise skip: it verifies an echoed requestState (-32602),
 * refuses input requests the 2026-07-28 client did not declare the capability for (-32021), and
 * on a 2025 connection fulfils `input_required` with real requests, re-entering `handler`.
 * (A private SDK method: the public path would be per-method handlers that re-parse the request.)
 */
export function serveThroughSeam(server: Server, request: JSONRPCRequest, ctx: ServerContext, handler: Handler): Promise<Result> {
  if (!INPUT_REQUIRED_METHODS.has(request.method)) return handler(request, ctx);
  const seam = (server as unknown as { _invokeInputRequiredCapableHandler: (method: string, handler: Handler, request: JSONRPCRequest, ctx: ServerContext) => Promise<Result> })
    ._invokeInputRequiredCapableHandler;
  return seam.call(server, request.method, handler, request, ctx);
}

/**
 * One client request sent upstream, rounds included: a retry goes where its requestState says,
 * with the client's answers; what comes back asking for input goes to the client as
 * `input_required`, carrying mcproxy's state.
 */
export async function callUpstream(
  session: ClientSession,
  ctx: ServerContext,
  method: string,
  connection: UpstreamConnection,
  params: Params,
  context: CallContext,
  send: SendUpstream,
): Promise<Result> {
  if (!INPUT_REQUIRED_METHODS.has(method)) return send(params, context, { signal: ctx.mcpReq.signal });
  const upstream = connection.name;
  const state = echoedState(ctx, upstream);
  const round = (state?.round ?? 0) + 1;
  if (state?.parked) return ParkedCall.resume(state.parked, session, ctx, upstream);
  const retry = connection.speaksModern ? forModernUpstream(session, ctx, params, state) : params;
  const result = isModernRequest(ctx)
    ? await new ParkedCall(session, upstream, ctx, context).start((bridged, signal, onprogress) => send(retry, bridged, { signal, allowInputRequired: true, ...(onprogress && { onprogress }) }))
    : await send(retry, context, { signal: ctx.mcpReq.signal, allowInputRequired: true });
  if (!isInputRequiredResult(result) || PARKED_ROUNDS.has(result)) return result;
  if (round > MAX_INPUT_ROUNDS) throw tooManyRounds(upstream, method);
  // The upstream's own input_required: relayed, its state inside ours.
  const { inputRequests, requestState, _meta } = result as InputRequiredResult;
  const ours: ProxyState = { upstream, round, ...(requestState !== undefined && { state: requestState }) };
  return { resultType: 'input_required', ...(inputRequests && { inputRequests }), requestState: await session.requestStates.mint(ours, ctx), ...(_meta && { _meta }) } as Result;
}

/**
 * What a modern upstream gets: the answers the client sent (with a requestState, or on a first
 * call), the upstream's own state, and the capabilities this request declares (the upstream
 * asks only for those, or answers -32021).
 */
function forModernUpstream(session: ClientSession, ctx: ServerContext, params: Params, state: ProxyState | undefined): Params {
  const declared = envelopeOf(ctx)?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined;
  const meta = (params._meta ?? {}) as Params;
  return {
    ...params,
    ...(declared && { _meta: { ...meta, [CLIENT_CAPABILITIES_META_KEY]: session.capabilitiesForUpstreams(declared) } }),
    ...(ctx.mcpReq.inputResponses && { inputResponses: ctx.mcpReq.inputResponses }),
    ...(state?.state !== undefined && { requestState: state.state }),
  };
}

/** The requestState the client echoed, verified by the seam; refused when it is another upstream's. */
function echoedState(ctx: ServerContext, upstream: string): ProxyState | undefined {
  const state = ctx.mcpReq.requestState<ProxyState | string>();
  if (state === undefined) return undefined;
  if (typeof state !== 'object' || state.upstream !== upstream) {
    throw new ForwardedError(ProtocolErrorCode.InvalidParams, 'Invalid or expired requestState', { reason: 'invalid_request_state' });
  }
  return state;
}

function isModernRequest(ctx: ServerContext): boolean {
  return envelopeOf(ctx)?.[PROTOCOL_VERSION_META_KEY] !== undefined;
}

function envelopeOf(ctx: ServerContext): Record<string, unknown> | undefined {
  return ctx.mcpReq.envelope as Record<string, unknown> | undefined;
}

function tooManyRounds(upstream: string, method: string): ForwardedError {
  return new ForwardedError(
    ProtocolErrorCode.InternalError,
    `Upstream '${upstream}' still asked for input after ${MAX_INPUT_ROUNDS} rounds of ${method}: mcproxy ended the call`,
    { upstream },
  );
}

/** An upstream asked for input the request's capabilities do not declare: the client's error (-32021), and the upstream's. */
export function undeclaredInput(upstream: string, method: string, needed: string): { clientError: Error; upstreamError: ForwardedError } {
  const message = `Upstream '${upstream}' asked for ${method} during the call, but the request's client capabilities do not declare '${needed}'`;
  return {
    clientError: new MissingRequiredClientCapabilityError({ requiredCapabilities: { [needed]: {} } }, message),
    upstreamError: new ForwardedError(ProtocolErrorCode.MethodNotFound, message),
  };
}

/** The input_required results a parked call gave: they carry mcproxy's state already. */
const PARKED_ROUNDS = new WeakSet<Result>();

/** A request the upstream made during the call, waiting for the client's answer. */
interface PendingInput {
  request: { method: string; params?: Params };
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/**
 * A 2026-07-28 client's call to an upstream that may send server→client requests (a legacy
 * one): those requests wait here, keyed, while the client answers them in its next round.
 * Between rounds the call is parked in this process under an id its requestState carries.
 */
class ParkedCall {
  private static readonly parked = new Map<string, ParkedCall>();
  private readonly abort = new AbortController();
  private readonly pending = new Map<string, PendingInput>();
  private outcome!: Promise<Result>;
  private failure?: Error;
  private wake: () => void = () => {};
  private expiry?: NodeJS.Timeout;
  private asked = 0;
  private rounds = 0;

  constructor(
    private readonly session: ClientSession,
    private readonly upstream: string,
    /** The client's request of the current round: its stream, its capabilities. */
    private current: ServerContext,
    private readonly original: CallContext,
  ) {}

  /** Sends the call; resolves with its result, or with `input_required` once it asks for input. */
  start(send: (context: CallContext, signal: AbortSignal, onprogress?: RequestOptions['onprogress']) => Promise<Result>): Promise<Result> {
    const context: CallContext = {
      ...this.original,
      // Logs and progress travel on the stream of the round under way.
      sendNotification: (notification) => this.current.mcpReq.notify(notification as never),
      sendRequest: (request) => this.ask(request),
      askClient: (request, signal) => this.ask(request, signal),
    };
    const onprogress: RequestOptions['onprogress'] = (progress) => {
      const progressToken = this.current.mcpReq._meta?.progressToken;
      if (progressToken !== undefined) void this.current.mcpReq.notify({ method: 'notifications/progress', params: { ...progress, progressToken } }).catch(() => {});
    };
    this.outcome = send(context, this.abort.signal, this.current.mcpReq._meta?.progressToken === undefined ? undefined : onprogress);
    this.outcome.catch(() => {});
    return this.round();
  }

  /** A retry whose requestState names a parked call: its answers go to the upstream, and the call goes on. */
  static resume(id: string, session: ClientSession, ctx: ServerContext, upstream: string): Promise<Result> {
    const call = ParkedCall.parked.get(id);
    if (!call || call.upstream !== upstream || call.session !== session) {
      throw new ForwardedError(
        ProtocolErrorCode.InvalidParams,
        `The call this requestState continues is not waiting in this mcproxy process: it was answered already, ended after ${STATE_TTL_SECONDS} s without an answer, ` +
          `or the retry reached another mcproxy instance (calls to legacy upstreams wait in the process that started them). Call again without requestState`,
        { reason: 'call_not_waiting', upstream },
      );
    }
    ParkedCall.parked.delete(id);
    clearTimeout(call.expiry);
    call.current = ctx;
    for (const [key, input] of call.pending) {
      const answer = ctx.mcpReq.inputResponses?.[key];
      if (answer === undefined) continue; // asked again in the next round
      call.pending.delete(key);
      input.resolve(answer as Result);
    }
    return call.round();
  }

  /** The upstream asks the client something: checked against the round's capabilities, then held for the next input_required. */
  private ask(request: { method: string; params?: Params }, signal?: AbortSignal): Promise<Result> {
    const needed = REQUIRED_CAPABILITY[request.method];
    const declared = envelopeOf(this.current)?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined;
    if (needed && !declared?.[needed]) {
      const { clientError, upstreamError } = undeclaredInput(this.upstream, request.method, needed);
      this.fail(clientError);
      return Promise.reject(upstreamError);
    }
    return new Promise<Result>((resolve, reject) => {
      const key = `${this.upstream}-${++this.asked}`;
      this.pending.set(key, { request: { method: request.method, ...(request.params && { params: request.params }) }, resolve, reject });
      signal?.addEventListener('abort', () => this.pending.delete(key) && reject(signal.reason), { once: true });
      this.wake();
    });
  }

  /** Waits for the call's result or its next questions, whichever comes first. */
  private async round(): Promise<Result> {
    if (++this.rounds > MAX_INPUT_ROUNDS) {
      this.end(`still asking after ${MAX_INPUT_ROUNDS} rounds`);
      throw tooManyRounds(this.upstream, this.current.mcpReq.method);
    }
    // The client cancelling this round's request cancels the upstream call.
    const signal = this.current.mcpReq.signal;
    const cancel = () => this.end('the client cancelled the call');
    signal.addEventListener('abort', cancel, { once: true });
    try {
      const questions = new Promise<'input'>((resolve) => {
        this.wake = () => setTimeout(() => resolve('input'), GATHER_MS);
        if (this.pending.size > 0 || this.failure) this.wake();
      });
      const next = await Promise.race([this.outcome.then((result) => ({ result })), questions]);
      if (this.failure) throw this.failure;
      if (next !== 'input') {
        this.end();
        return next.result;
      }
      return await this.park();
    } catch (error) {
      this.end();
      throw error;
    } finally {
      signal.removeEventListener('abort', cancel);
      this.wake = () => {};
    }
  }

  /** Parks the call until the client's retry, and tells the client what to answer. */
  private async park(): Promise<Result> {
    const id = randomUUID();
    ParkedCall.parked.set(id, this);
    this.expiry = setTimeout(() => this.end(`no answer within ${STATE_TTL_SECONDS} s`), STATE_TTL_SECONDS * 1000);
    this.expiry.unref();
    const inputRequests = Object.fromEntries([...this.pending].map(([key, input]) => [key, input.request]));
    const state: ProxyState = { upstream: this.upstream, parked: id };
    const result = { resultType: 'input_required', inputRequests, requestState: await this.session.requestStates.mint(state, this.current) } as Result;
    PARKED_ROUNDS.add(result);
    return result;
  }

  /** A question the client cannot answer ends the round with `error`, and the upstream call with it. */
  private fail(error: Error): void {
    this.failure = error;
    this.wake();
  }

  /** The call is over (or given up): nothing waits for it any more, and an unfinished upstream call is cancelled. */
  private end(reason?: string): void {
    clearTimeout(this.expiry);
    for (const [id, call] of ParkedCall.parked) if (call === this) ParkedCall.parked.delete(id);
    // Most calls end with nothing pending and nothing to abort: no error (and its stack) made for them.
    if (this.pending.size === 0 && !reason && !this.failure) return;
    const cause = new ForwardedError(ProtocolErrorCode.InternalError, `mcproxy ended the call: ${reason ?? 'the client cannot answer'}`);
    for (const input of this.pending.values()) input.reject(cause);
    this.pending.clear();
    if (reason || this.failure) {
      if (reason) log.info(`parked call to '${this.upstream}' ended: ${reason}`, { session: this.session.label });
      this.abort.abort(cause);
    }
  }
}
