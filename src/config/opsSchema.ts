// Operations keys: the admin listener (health, readiness, metrics, status), OpenTelemetry
// export, and the log format. Spread into schema.ts; key names are a contract (issue 14).
import { z } from 'zod';

const PORT_NUMBER = 'expected a port number (0-65535)';
const port = () => z.number({ error: PORT_NUMBER }).int({ error: PORT_NUMBER }).min(0, { error: PORT_NUMBER }).max(65535, { error: PORT_NUMBER });

/**
 * `server.admin`: /healthz, /readyz, /metrics, /status and /status.json. With a `port` they get
 * a listener of their own (in stdio mode too); without one they sit beside the MCP path.
 */
export const AdminSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: port().optional(),
  /** true: the same credentials as the MCP endpoint (server.auth); false: open to whoever reaches the listener. */
  auth: z.boolean().default(true),
});

/** `telemetry`: traces exported over OTLP/HTTP (JSON); the standard OTEL_* variables work too. */
export const TelemetrySchema = z.strictObject({
  otlp: z
    .strictObject({
      /** The collector's base URL (http://host:4318); traces go to <endpoint>/v1/traces. */
      endpoint: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }),
      /** Sent with every export (an API key for a hosted collector: use ${VAR}). */
      headers: z.record(z.string(), z.string()).default({}),
    })
    .optional(),
  /** service.name of the spans (default: server.name). */
  serviceName: z.string().min(1).optional(),
});

export const LogFormatSchema = z.enum(['text', 'json']);

export type AdminConfig = z.infer<typeof AdminSchema>;
export type TelemetryConfig = z.infer<typeof TelemetrySchema>;
