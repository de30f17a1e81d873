// A local OTLP/HTTP trace receiver (test double), as the OTLP specification describes it:
// POST /v1/traces with an ExportTraceServiceRequest, answered 200 with an
// ExportTraceServiceResponse in the request's encoding. It decodes the JSON encoding
// (Content-Type: application/json, what @opentelemetry/exporter-trace-otlp-http sends): ids are
// hex strings, attributes { key, value: { stringValue | intValue | ... } }. A protobuf body
// (application/x-protobuf) is answered 415: these tests expect JSON.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP SpanKind: 2 SERVER, 3 CLIENT. */
  kind: number;
  attributes: Record<string, unknown>;
  status?: { code?: number; message?: string };
}

export interface OtlpReceiver {
  /** The base URL, for `telemetry.otlp.endpoint`. */
  url: string;
  spans: ReceivedSpan[];
  contentTypes: string[];
  close(): Promise<void>;
}

type AnyValue = Record<string, unknown>;
const valueOf = (value: AnyValue | undefined): unknown => (value ? Object.values(value)[0] : undefined);
const attributesOf = (list: { key: string; value: AnyValue }[] | undefined) => Object.fromEntries((list ?? []).map((a) => [a.key, valueOf(a.value)]));

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') return void res.writeHead(404).end();
      const type = req.headers['content-type'] ?? '';
      contentTypes.push(type);
      if (!type.startsWith('application/json')) return void res.writeHead(415).end();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans?: { resource?: { attributes?: { key: string; value: AnyValue }[] }; scopeSpans?: { spans?: Record<string, unknown>[] }[] }[];
      };
      for (const resourceSpans of body.resourceSpans ?? []) {
        const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name']);
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            spans.push({
              service,
              traceId: span.traceId as string,
              spanId: span.spanId as string,
              ...(span.parentSpanId ? { parentSpanId: span.parentSpanId as string } : {}),
              name: span.name as string,
              kind: span.kind as number,
              attributes: attributesOf(span.attributes as { key: string; value: AnyValue }[]),
              status: span.status as ReceivedSpan['status'],
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    contentTypes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
