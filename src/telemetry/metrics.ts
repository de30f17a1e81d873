// Prometheus metrics (prom-client, its own registry): request counters and latency histograms
// fed by request filters, and gauges read at scrape time from the proxy's live state (upstream
// states, sessions, queues). Loaded only when something serves /metrics.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { EventEmitter } from 'node:events';
import type { UpstreamStatus } from '../ops/upstreamStatus.js';
import { outcomeOfResult, type ClientRequestFilter, type UpstreamCallFilter } from './filters.js';
import { CounterTally, HistogramTally } from './tallies.js';

/** What the gauges read when scraped. */
export interface LiveState {
  upstreams(): UpstreamStatus[];
  sessions(): number;
  /** Bytes exchanged with clients so far, and over which transport. */
  bytes(): { transport: string; received: number; sent: number };
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const STATES = ['idle', 'starting', 'up', 'down', 'failed', 'stopped'] as const;

/**
 * The methods a client may send, in either era: any other name a client makes up is counted as
 * `other`, so a client cannot add a series per name it invents.
 */
const CLIENT_METHODS = new Set([
  'initialize', 'ping', 'server/discover', 'subscriptions/listen', 'logging/setLevel', 'completion/complete',
  'tools/list', 'tools/call', 'prompts/list', 'prompts/get',
  'resources/list', 'resources/templates/list', 'resources/read', 'resources/subscribe', 'resources/unsubscribe',
  'tasks/get', 'tasks/result', 'tasks/cancel', 'tasks/list',
]);

function methodLabel(method: string): string {
  return CLIENT_METHODS.has(method) ? method : 'other';
}

export class ProxyMetrics {
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;
  /** Updated per request: tallies (tallies.ts), not prom-client's own metrics. */
  private readonly clientRequests: CounterTally;
  private readonly upstreamRequests: CounterTally;
  private readonly upstreamLatency: HistogramTally;
  private readonly vconEvents: Counter<'event'>;

  constructor(live: LiveState) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.clientRequests = new CounterTally(
      'mcproxy_client_requests_total',
      'Requests from clients, by MCP method (other for a method MCP does not define) and outcome (ok, tool_error, error)',
      ['method', 'outcome'],
      this.registry,
    );
    this.upstreamRequests = new CounterTally(
      'mcproxy_upstream_requests_total',
      'Requests sent to upstreams, by MCP method, upstream and outcome (ok, tool_error, error)',
      ['method', 'upstream', 'outcome'],
      this.registry,
    );
    this.upstreamLatency = new HistogramTally(
      'mcproxy_upstream_request_duration_seconds',
      'Time from sending a request to an upstream (queue wait included) until its answer',
      ['method', 'upstream'],
      LATENCY_BUCKETS,
      this.registry,
    );
    new Gauge({
      name: 'mcproxy_sessions_active',
      help: 'Client sessions open now',
      registers,
      collect() {
        this.set(live.sessions());
      },
    });
    new Gauge({
      name: 'mcproxy_upstream_up',
      help: '1 while the upstream is up (or not yet needed: idle), 0 while starting, down or failed',
      labelNames: ['upstream'],
      registers,
      collect() {
        // A reload may have removed upstreams: only the current ones have series.
        this.reset();
        for (const s of live.upstreams()) this.set({ upstream: s.name }, s.state === 'up' || s.state === 'idle' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'mcproxy_upstream_state',
      help: 'The upstream state, one series per state set to 1 for the current one',
      labelNames: ['upstream', 'state'],
      registers,
      collect() {
        this.reset();
        for (const s of live.upstreams()) for (const state of STATES) this.set({ upstream: s.name, state }, s.state === state ? 1 : 0);
      },
    });
    new Counter({
      name: 'mcproxy_upstream_restarts_total',
      help: 'Starts of an upstream after a failure (restart policy)',
      labelNames: ['upstream'],
      registers,
      collect() {
        this.reset();
        for (const s of live.upstreams()) this.inc({ upstream: s.name }, s.restarts);
      },
    });
    new Gauge({
      name: 'mcproxy_upstream_queue_depth',
      help: 'Requests waiting for one of the upstream\'s maxConcurrent slots',
      labelNames: ['upstream'],
      registers,
      collect() {
        this.reset();
        for (const s of live.upstreams()) this.set({ upstream: s.name }, s.queued);
      },
    });
    for (const [name, field] of [['received', 'received'], ['sent', 'sent']] as const) {
      new Counter({
        name: `mcproxy_client_bytes_${name}_total`,
        help: `Bytes ${name} ${name === 'sent' ? 'to' : 'from'} clients on the MCP transport (HTTP: on the wire, headers included)`,
        labelNames: ['transport'],
        registers,
        collect() {
          const bytes = live.bytes();
          this.reset();
          this.inc({ transport: bytes.transport }, bytes[field]);
        },
      });
    }
    this.vconEvents = new Counter({
      name: 'mcproxy_vcon_events_total',
      help: 'vCon recording and delivery: session (a session recorded), created, posted (to the conserver), error',
      labelNames: ['event'],
      registers,
    });
  }

  /** Counts a recording's events (VconRecording's 'session:start', 'vcon:created', 'vcon:posted', 'vcon:error'). */
  watchRecording(recording: EventEmitter): void {
    for (const event of ['session', 'created', 'posted', 'error'] as const) this.vconEvents.inc({ event }, 0);
    recording.on('session:start', () => this.vconEvents.inc({ event: 'session' }));
    recording.on('vcon:created', () => this.vconEvents.inc({ event: 'created' }));
    recording.on('vcon:posted', () => this.vconEvents.inc({ event: 'posted' }));
    recording.on('vcon:error', () => this.vconEvents.inc({ event: 'error' }));
  }

  clientFilter(): ClientRequestFilter {
    return async (request, next) => {
      try {
        const result = await next();
        this.clientRequests.inc(methodLabel(request.method), outcomeOfResult(result));
        return result;
      } catch (error) {
        this.clientRequests.inc(methodLabel(request.method), 'error');
        throw error;
      }
    };
  }

  upstreamFilter(): UpstreamCallFilter {
    return async (call, next) => {
      const { method, upstream } = call;
      const started = performance.now();
      try {
        const result = await next(call);
        this.upstreamLatency.observe((performance.now() - started) / 1000, method, upstream);
        this.upstreamRequests.inc(method, upstream, outcomeOfResult(result));
        return result;
      } catch (error) {
        this.upstreamLatency.observe((performance.now() - started) / 1000, method, upstream);
        this.upstreamRequests.inc(method, upstream, 'error');
        throw error;
      }
    };
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
