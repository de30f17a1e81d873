// The parts of reload, restart policy, health checks and shutdown that need no I/O: the config
// keys (defaults, env, errors with their place), the diff of two configs, the backoff and the
// `failed` verdict, who may start a failing upstream, the health-check question per protocol
// era, and the requests a shutdown waits for.
import { ProtocolError, ProtocolErrorCode, SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeDiff, diffConfigs } from '../../src/config/diff.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import type { ProxyConfig } from '../../src/config/schema.js';
import { backoffDelay, UpstreamFailedError, UpstreamHealth } from '../../src/upstream/health.js';
import { answeredAnyway, healthProbeMethod } from '../../src/upstream/healthCheck.js';
import { InflightRequests, SHUTTING_DOWN } from '../../src/session/inflight.js';
import { parseCommand } from '../../src/cli/args.js';
import { Reloader } from '../../src/reload.js';

describe('operations config keys', () => {
  let folder: string;
  beforeEach(() => (folder = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-ops-'))));
  afterEach(() => rmSync(folder, { recursive: true, force: true }));
  const load = (lines: string[], env: NodeJS.ProcessEnv = {}) => {
    const file = path.join(folder, 'mcproxy.yaml');
    writeFileSync(file, lines.join('\n') + '\n');
    return loadConfig(file, env);
  };

  it('defaults: failMode closed, 10 failures in 10 minutes, checks every 30 s within 5 s, not required, 10 s grace', () => {
    const config = load(['upstreams:', '  a:', '    command: node']);
    const [a] = config.upstreams;
    assert.equal(a.failMode, 'closed');
    assert.deepEqual(a.restart, { maxFailures: 10, windowMs: 600_000, initialDelayMs: 500, maxDelayMs: 30_000 });
    assert.deepEqual(a.healthCheck, { intervalMs: 30_000, timeoutMs: 5_000 });
    assert.equal(a.required, false);
    assert.equal(config.server.shutdownGraceMs, 10_000);
  });

  it('takes the numbers and `required` from the environment', () => {
    const config = load(
      ['server:', '  shutdownGraceMs: ${GRACE}', 'upstreams:', '  a:', '    command: node', '    required: ${REQ}', '    restart:', '      maxFailures: ${MAX}', '    healthCheck:', '      intervalMs: ${EVERY}'],
      { GRACE: '0', REQ: 'true', MAX: '3', EVERY: '0' },
    );
    assert.equal(config.server.shutdownGraceMs, 0);
    assert.equal(config.upstreams[0].required, true);
    assert.equal(config.upstreams[0].restart.maxFailures, 3);
    assert.equal(config.upstreams[0].healthCheck.intervalMs, 0);
  });

  it('names file, line and key of a bad failMode and a bad restart key', () => {
    try {
      load(['upstreams:', '  a:', '    command: node', '    failMode: half', '    restart: { maxFailure: 3 }']);
      assert.fail('loaded');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      const lines = error.problems.map((p) => `${p.line} ${p.path}: ${p.message}`);
      assert.ok(lines.some((l) => /^4 upstreams\.a\.failMode: .*open.*closed/.test(l)), lines.join('\n'));
      assert.ok(lines.some((l) => /^5 upstreams\.a\.restart.*maxFailure/.test(l)), lines.join('\n'));
    }
  });
});

describe('diffConfigs', () => {
  const upstream = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    namespace: name,
    command: 'node',
    args: [name],
    env: {},
    shared: false,
    timeoutMs: 60_000,
    enabled: true,
    failMode: 'closed',
    restart: { maxFailures: 10, windowMs: 600_000, initialDelayMs: 500, maxDelayMs: 30_000 },
    healthCheck: { intervalMs: 30_000, timeoutMs: 5_000 },
    required: false,
    ...extra,
  });
  const config = (upstreams: unknown[], extra: Partial<ProxyConfig> = {}): ProxyConfig =>
    ({
      file: '/x/mcproxy.yaml',
      server: { port: 8808, pageSize: 100, shutdownGraceMs: 10_000 },
      naming: { separator: '__' },
      logging: { level: 'info' },
      security: {},
      upstreams,
      policy: {},
      profiles: {},
      ...extra,
    }) as unknown as ProxyConfig;

  it('sorts upstreams into added, removed, restarted, updated in place and unchanged', () => {
    const before = config([upstream('keep'), upstream('drop'), upstream('change'), upstream('rename'), upstream('policy'), upstream('spares')]);
    const after = config([
      upstream('keep'),
      upstream('change', { args: ['other'] }),
      upstream('rename', { namespace: 'rn' }),
      upstream('policy', { tools: { block: ['x'] }, failMode: 'open', required: true }),
      upstream('spares', { spares: 0 }),
      upstream('new'),
    ]);
    const diff = diffConfigs(before, after);
    assert.deepEqual(diff.added, ['new']);
    assert.deepEqual(diff.removed, ['drop']);
    assert.deepEqual(diff.restarted, ['change']);
    assert.deepEqual(diff.retuned, ['rename', 'policy', 'spares']);
    assert.deepEqual(diff.unchanged, ['keep']);
    assert.equal(diff.catalogChanged, false);
    assert.deepEqual(diff.needsRestart, []);
    assert.equal(describeDiff(diff), 'added new; removed drop; restarted change; updated rename, policy, spares in place; kept keep');
  });

  it('ignores key order; env, timeouts and health checks restart; policy, naming and profiles only rebuild catalogs', () => {
    const a = upstream('a');
    const reordered = Object.fromEntries(Object.entries(a).reverse());
    assert.deepEqual(diffConfigs(config([a]), config([reordered])).unchanged, ['a']);
    assert.deepEqual(diffConfigs(config([a]), config([upstream('a', { env: { K: 'v' } })])).restarted, ['a']);
    assert.deepEqual(diffConfigs(config([a]), config([upstream('a', { healthCheck: { intervalMs: 1, timeoutMs: 1 } })])).restarted, ['a']);
    const policy = diffConfigs(config([a]), config([a], { policy: { tools: { block: ['*'] } } } as Partial<ProxyConfig>));
    assert.equal(policy.catalogChanged, true);
    assert.deepEqual(policy.unchanged, ['a']);
  });

  it('names server keys that wait for a restart of mcproxy, but not the grace time or page size', () => {
    const before = config([upstream('a')]);
    const after = config([upstream('a')], { server: { port: 9000, pageSize: 5, shutdownGraceMs: 1 } } as Partial<ProxyConfig>);
    const diff = diffConfigs(before, after);
    assert.deepEqual(diff.needsRestart, ['server.port']);
    assert.deepEqual(diff.serverUpdated, ['server.pageSize', 'server.shutdownGraceMs']);
    assert.match(describeDiff(diff), /applied server\.pageSize, server\.shutdownGraceMs/);
  });
});

describe('restart policy (UpstreamHealth)', () => {
  const policy = { maxFailures: 3, windowMs: 10_000, initialDelayMs: 100, maxDelayMs: 1_000 };
  const settings = { restart: policy, required: true, failMode: 'open' as const };

  it('backs off doubling from initialDelayMs to maxDelayMs, with ±20% jitter', () => {
    const middle = () => 0.5;
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy, middle)), [100, 200, 400, 800, 1000, 1000]);
    assert.equal(backoffDelay(1, policy, () => 0), 80);
    assert.equal(backoffDelay(1, policy, () => 1), 120);
  });

  it('goes idle → starting → up → down → failed after maxFailures within windowMs, and a manual restart clears it', async () => {
    let now = 1_000;
    const health = new UpstreamHealth('u', settings, () => now);
    assert.equal(health.status().state, 'idle');
    assert.equal(await health.admit(), false, 'a healthy upstream starts without waiting or probing');
    assert.equal(health.status().state, 'starting');
    health.success();
    assert.equal(health.status().state, 'up');
    health.failure('boom 1');
    const down = health.status();
    assert.equal(down.state, 'down');
    assert.equal(down.lastError, 'boom 1');
    assert.ok(down.nextStartAt! >= now + 80 && down.nextStartAt! <= now + 120);
    now += 5_000;
    health.failure('boom 2');
    health.failure('boom 3');
    assert.equal(health.status().state, 'failed');
    assert.equal(health.status().recentFailures, 3);
    await assert.rejects(health.admit(), (error: Error) => error instanceof UpstreamFailedError && /failed 3 times within 10000 ms \(last: boom 3\).*mcproxy restart u/.test(error.message));
    health.restart();
    assert.equal(health.status().recentFailures, 0);
    assert.equal(await health.admit(), false);
  });

  it('forgets failures older than windowMs', () => {
    let now = 0;
    const health = new UpstreamHealth('u', settings, () => now);
    health.failure('a');
    health.failure('b');
    now = 20_000;
    health.failure('c');
    assert.equal(health.status().state, 'down');
    assert.equal(health.status().recentFailures, 1);
  });

  it('after a failure, many starts wait for the backoff and only one probes; the rest follow its success', async () => {
    const health = new UpstreamHealth('u', { ...settings, restart: { ...policy, initialDelayMs: 30, maxDelayMs: 30 } });
    health.failure('first');
    const admitted: boolean[] = [];
    const starts = [1, 2, 3, 4].map(() => health.admit().then((probe) => admitted.push(probe)));
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.deepEqual(admitted, [true], 'one start probes; the others still wait');
    assert.equal(health.status().restarts, 1);
    health.success();
    await Promise.all(starts);
    assert.deepEqual(admitted, [true, false, false, false]);
  });

  it('an abandoned probe lets another start probe', async () => {
    const health = new UpstreamHealth('u', { ...settings, restart: { ...policy, initialDelayMs: 1, maxDelayMs: 1 } });
    health.failure('first');
    assert.equal(await health.admit(), true);
    const second = health.admit();
    health.abandon();
    assert.equal(await second, true);
  });
});

describe('health checks', () => {
  it('ask `ping` up to 2025-11-25 and `server/discover` from 2026-07-28 on', () => {
    assert.equal(healthProbeMethod(undefined), 'ping');
    assert.equal(healthProbeMethod('2025-06-18'), 'ping');
    assert.equal(healthProbeMethod('2025-11-25'), 'ping');
    assert.equal(healthProbeMethod('2026-07-28'), 'server/discover');
  });

  it('count any JSON-RPC error as an answer, but not a timeout or a closed connection', () => {
    assert.equal(answeredAnyway({ code: -32601 }), true);
    assert.equal(answeredAnyway({ code: -32001 }), false);
    assert.equal(answeredAnyway({ code: -32000 }), false);
    assert.equal(answeredAnyway(new Error('fetch failed')), false);
  });

  it('read the v2 SDK client the same way: the server’s error is an answer, its own timeout and closed link are not', () => {
    assert.equal(answeredAnyway(new ProtocolError(ProtocolErrorCode.MethodNotFound, 'Method not found')), true);
    assert.equal(answeredAnyway(new SdkError(SdkErrorCode.RequestTimeout, 'Request timed out', { timeout: 5000 })), false);
    assert.equal(answeredAnyway(new SdkError(SdkErrorCode.ConnectionClosed, 'Connection closed')), false);
  });
});

describe('requests in flight at shutdown', () => {
  it('waits for calls that finish within the grace, then cancels the rest with "mcproxy is shutting down" and refuses new ones', async () => {
    const inflight = new InflightRequests();
    const client = new AbortController();
    const quick = inflight.track(client.signal, () => new Promise((resolve) => setTimeout(() => resolve('quick'), 20)));
    let upstreamSignal: AbortSignal | undefined;
    const stuck = inflight.track(client.signal, (signal) => {
      upstreamSignal = signal;
      return new Promise(() => {});
    });
    assert.equal(await inflight.drain(100), 1, 'the quick one finished; one is still running');
    assert.equal(await quick, 'quick');
    await inflight.cancelAll();
    await assert.rejects(stuck, new RegExp(SHUTTING_DOWN));
    assert.ok(upstreamSignal?.aborted, 'the upstream request is cancelled too');
    await assert.rejects(inflight.track(client.signal, async () => 'late'), new RegExp(SHUTTING_DOWN));
  });
});

describe('reload and restart commands', () => {
  it('parse `reload` and `restart UPSTREAM`, each with --config', () => {
    assert.deepEqual(parseCommand(['reload']), { kind: 'reload', config: undefined });
    assert.deepEqual(parseCommand(['reload', '-c', 'x.yaml']), { kind: 'reload', config: 'x.yaml' });
    assert.deepEqual(parseCommand(['restart', 'memory', '--config', 'x.yaml']), { kind: 'restart', config: 'x.yaml', upstream: 'memory' });
    assert.throws(() => parseCommand(['restart']), /needs the name of an upstream/);
    assert.throws(() => parseCommand(['restart', 'a', 'b']), /unexpected argument: b/);
    assert.throws(() => parseCommand(['reload', '--port', '1']), /--port/);
  });
});

describe('Reloader', () => {
  let folder: string;
  beforeEach(() => (folder = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-reloader-'))));
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('keeps the running config when the file is invalid, and coalesces triggers that arrive during a reload', async () => {
    const file = path.join(folder, 'mcproxy.yaml');
    writeFileSync(file, 'upstreams:\n  a:\n    command: node\n');
    const applied: string[][] = [];
    let release: () => void = () => {};
    const reloader = new Reloader(loadConfig(file, {}), {
      apply: async (next, diff) => {
        applied.push(diff.added);
        await new Promise<void>((resolve) => (release = resolve));
      },
    });
    writeFileSync(file, 'upstreams:\n  a:\n    command: [1]\n');
    const invalid = await reloader.reload('test');
    assert.equal(invalid.ok, false);
    assert.match(!invalid.ok ? invalid.problems : '', /mcproxy\.yaml:3:\d+ upstreams\.a\.command: /);
    assert.deepEqual(reloader.config.upstreams.map((u) => u.name), ['a'], 'the running config stays');

    writeFileSync(file, 'upstreams:\n  a:\n    command: node\n  b:\n    command: node\n');
    const first = reloader.reload('one');
    await new Promise((resolve) => setImmediate(resolve));
    writeFileSync(file, 'upstreams:\n  a:\n    command: node\n  b:\n    command: node\n  c:\n    command: node\n');
    const storm = [reloader.reload('two'), reloader.reload('three'), reloader.reload('four')];
    release();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    release();
    const outcomes = await Promise.all(storm);
    assert.deepEqual(applied, [['b'], ['c']], 'one reload during the first, for all three triggers');
    assert.ok(outcomes.every((outcome) => outcome === outcomes[0]));
  });
});
