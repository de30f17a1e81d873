// Tracing as a pair of request filters. Always: the client's W3C trace context (traceContext.ts)
// travels on to upstreams unchanged, so a trace crosses this proxy even when it records no
// spans. When `telemetry.otlp.endpoint` or the standard OTEL_* variables say so, the official
// OpenTelemetry SDK is loaded (dynamic import: no cost otherwise) and each client request gets
// a SERVER span, each upstream request a CLIENT span under it, named and attributed as the
// OpenTelemetry semantic conventions for MCP say; upstreams then see the CLIENT span as parent.
import type { Span, Tracer } from '@opentelemetry/api';
import type { ProxyConfig } from '../config/schema.js';
import { log } from '../log.js';
import { PROXY_VERSION } from '../version.js';
import { errorType, outcomeOfResult, traceOnly, type ClientRequest, type ClientRequestFilter, type RequestFilters, type UpstreamCall, type UpstreamCallFilter } from './filters.js';
import { incomingTrace, traceScope, withTraceMeta, type TraceCarrier } from './traceContext.js';

export interface Tracing extends RequestFilters {
  /** Where spans go, for the startup log; undefined when none are recorded. */
  exportsTo?: string;
  /** Exports what is still buffered. */
  shutdown(): Promise<void>;
}

/** The OTLP/HTTP traces URL the config or the environment names, or undefined (tracing off). */
export function otlpTracesUrl(config: Pick<ProxyConfig, 'telemetry'>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return undefined;
  const configured = config.telemetry?.otlp?.endpoint;
  if (configured) return `${configured.replace(/\/+$/, '')}/v1/traces`;
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  return undefined;
}

export async function startTracing(config: ProxyConfig): Promise<Tracing> {
  const url = otlpTracesUrl(config);
  if (!url) return { ...propagationOnly(), shutdown: async () => {} };
  const [api, core, sdk, exporterModule, resources] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/core'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const headers = config.telemetry?.otlp?.headers;
  // The http exporter sends OTLP as JSON (Content-Type: application/json).
  const exporter = new exporterModule.OTLPTraceExporter({ url, ...(headers && Object.keys(headers).length > 0 && { headers }) });
  const serviceName = process.env.OTEL_SERVICE_NAME ?? config.telemetry?.serviceName ?? config.server.name;
  const provider = new sdk.BasicTracerProvider({
    resource: resources.resourceFromAttributes({ 'service.name': serviceName, 'service.version': PROXY_VERSION }),
    spanProcessors: [new sdk.BatchSpanProcessor(exporter)],
  });
  const tracer: Tracer = provider.getTracer('mcproxy', PROXY_VERSION);
  const propagator = new core.W3CTraceContextPropagator();

  const parentOf = (carrier: TraceCarrier | undefined) => (carrier ? propagator.extract(api.ROOT_CONTEXT, carrier, api.defaultTextMapGetter) : api.ROOT_CONTEXT);
  const carrierOf = (span: Span, baggage: string | undefined): TraceCarrier => {
    const out: Record<string, string> = {};
    propagator.inject(api.trace.setSpan(api.ROOT_CONTEXT, span), out, api.defaultTextMapSetter);
    return { traceparent: out.traceparent, ...(out.tracestate && { tracestate: out.tracestate }), ...(baggage && { baggage }) };
  };
  /** Ends a span with the request's outcome: an error, or a tool result with isError. */
  const finish = async (span: Span, run: () => Promise<unknown>): Promise<unknown> => {
    try {
      const result = await run();
      if (outcomeOfResult(result) === 'tool_error') {
        span.setAttribute('error.type', 'tool_error');
        span.setStatus({ code: api.SpanStatusCode.ERROR });
      }
      return result;
    } catch (error) {
      span.setAttribute('error.type', errorType(error));
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'number') span.setAttribute('rpc.response.status_code', String(code));
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  };

  const client: ClientRequestFilter = (request, next) => {
    const incoming = incomingTrace(request.params, request.headers, malformedTraceparent(request));
    const span = tracer.startSpan(spanName(request.method, request.params), { kind: api.SpanKind.SERVER, attributes: clientAttributes(request) }, parentOf(incoming));
    return traceScope.run({ carrier: carrierOf(span, incoming?.baggage), span }, () => finish(span, next));
  };
  const upstream: UpstreamCallFilter = (call, next) => {
    const scope = traceScope.getStore();
    const parent = scope?.span ? api.trace.setSpan(api.ROOT_CONTEXT, scope.span as Span) : api.ROOT_CONTEXT;
    const span = tracer.startSpan(spanName(call.method, call.params), { kind: api.SpanKind.CLIENT, attributes: upstreamAttributes(call) }, parent);
    return finish(span, () => next({ ...call, params: withTraceMeta(call.params, carrierOf(span, scope?.carrier?.baggage)) }));
  };
  return {
    client: [client],
    upstream: [upstream],
    exportsTo: url,
    shutdown: async () => {
      await provider.shutdown().catch((error: Error) => void log.warn(`could not export the last spans: ${error.message}`));
    },
  };
}

/** Without span export: the client's trace context passed on as it came. */
function propagationOnly(): RequestFilters {
  return {
    client: [
      traceOnly<ClientRequestFilter>((request, next) => {
        const carrier = incomingTrace(request.params, request.headers, malformedTraceparent(request));
        return carrier ? traceScope.run({ carrier }, next) : next();
      }),
    ],
    upstream: [
      traceOnly<UpstreamCallFilter>((call, next) => {
        const carrier = traceScope.getStore()?.carrier;
        return next(carrier ? { ...call, params: withTraceMeta(call.params, carrier) } : call);
      }),
    ],
  };
}

function malformedTraceparent(request: ClientRequest): (where: string, value: string) => void {
  return (where, value) => log.warn(`ignored a malformed traceparent in the ${where} of ${request.method}: ${JSON.stringify(value.slice(0, 80))}`, { session: request.session });
}

/** `{mcp.method.name} {target}`: the tool or prompt name where there is one (low cardinality). */
export function spanName(method: string, params: Record<string, unknown>): string {
  const target = (method === 'tools/call' || method === 'prompts/get') && typeof params.name === 'string' ? params.name : undefined;
  return target ? `${method} ${target}` : method;
}

type Attributes = Record<string, string>;

function methodAttributes(method: string, params: Record<string, unknown>): Attributes {
  const attributes: Attributes = { 'mcp.method.name': method };
  if (method === 'tools/call' && typeof params.name === 'string') {
    attributes['gen_ai.tool.name'] = params.name;
    attributes['gen_ai.operation.name'] = 'execute_tool';
  }
  if (method === 'prompts/get' && typeof params.name === 'string') attributes['gen_ai.prompt.name'] = params.name;
  if (typeof params.uri === 'string') attributes['mcp.resource.uri'] = params.uri;
  return attributes;
}

function clientAttributes(request: ClientRequest): Attributes {
  return {
    ...methodAttributes(request.method, request.params),
    'jsonrpc.request.id': String(request.id),
    'network.transport': request.transport === 'stdio' ? 'pipe' : 'tcp',
    ...(request.mcpSessionId && { 'mcp.session.id': request.mcpSessionId }),
    ...(request.protocolVersion && { 'mcp.protocol.version': request.protocolVersion }),
  };
}

function upstreamAttributes(call: UpstreamCall): Attributes {
  return { ...methodAttributes(call.method, call.params), 'mcproxy.upstream.name': call.upstream };
}
