// HTTP statuses the 2026-07-28 spec gives errors of its own: an unknown method is 404 with
// -32601, headers that contradict the body are 400 with -32020. The SDK's HTTP entry sets
// those only for what it refuses before dispatch; an error thrown by a request handler (the
// proxy answers every method in its fallback handler) goes out as HTTP 200. This puts the
// spec's status back on those two, for the answer of the request that raised them.
import type { McpHandlerRequestOptions, Server } from '@modelcontextprotocol/server';
import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import { ParamHeaderMismatchError } from '../session/paramHeaders.js';

interface FetchHandler {
  fetch(request: Request, options?: McpHandlerRequestOptions): Promise<Response>;
}

/** The status an error thrown while answering gives the HTTP response, when the spec names one. */
function statusOf(error: unknown): number | undefined {
  if (error instanceof ParamHeaderMismatchError) return 400;
  // A method neither the proxy nor (for one it forwards) the upstream has.
  if ((error as { code?: unknown } | undefined)?.code === ProtocolErrorCode.MethodNotFound) return 404;
  return undefined;
}

export class ErrorStatuses {
  private readonly raised = new WeakMap<Request, { status?: number }>();

  /** The per-request server, its answers' errors noted against the HTTP request they belong to. */
  watch(server: Server, request: Request | undefined): Server {
    const note = request && this.raised.get(request);
    const answer = server.fallbackRequestHandler;
    if (!note || !answer) return server;
    server.fallbackRequestHandler = async (...args) => {
      try {
        return await answer(...args);
      } catch (error) {
        note.status = statusOf(error);
        throw error;
      }
    };
    return server;
  }

  /** `handler` whose plain JSON error answers get the status their error called for. */
  wrap(handler: FetchHandler): FetchHandler {
    return {
      fetch: async (request, options) => {
        const note: { status?: number } = {};
        this.raised.set(request, note);
        const response = await handler.fetch(request, options);
        // A streamed (SSE) answer has its 200 on the wire already: it keeps it.
        if (note.status === undefined || response.status !== 200 || !response.headers.get('content-type')?.startsWith('application/json')) return response;
        return new Response(response.body, { status: note.status, headers: response.headers });
      },
    };
  }
}
