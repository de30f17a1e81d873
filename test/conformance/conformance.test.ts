/**
 * Protocol fidelity, server side: the official MCP conformance suite
 * (0.2.0-alpha, see suite.ts) with the frozen requirement sets of both
 * revisions, 2026-07-28 and 2025-11-25, each at its own wire.
 *
 * The bar is the dual-era reference (test/fixtures/modern-server.ts on the
 * SDK v2 packages) run directly: it must pass every required scenario. Then
 * mcproxy, in front of upstreams of either era, must give the reference's
 * verdict on every scenario (required or only reported). A scenario whose
 * upstream cannot give that verdict through any proxy (a 2025-11-25 server
 * behind a 2026-07-28 client) is listed in legacyUpstreamLimits.ts, by row:
 * the row's title says how many, and the test fails on a difference not
 * listed (a regression) as well as on a listed one that went away (stale).
 * Through mcproxy, no SHOULD-level warning the reference does not get either.
 *
 * CONFORMANCE_TABLES=1 prints each row's per-scenario verdicts beside the reference's.
 */
import assert from 'node:assert/strict';

import { startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';

import {
  CONFORMANCE_PACKAGE,
  MODERN_FIXTURE_SCRIPT,
  REQUIRED_SERVER_SCENARIOS,
  REVISIONS,
  assertSameVerdicts,
  describeFailures,
  pendingNote,
  runConformance,
  startConformanceFixture,
  startModernFixture,
  verdictTable,
  type ConformanceResult,
  type Revision,
  type StartedProcess,
} from './suite.js';

/** An upstream as mcproxy's config names it, and how to let go of it. */
interface RunningUpstream {
  config: Record<string, unknown>;
  stop(): Promise<void>;
}

interface Upstream {
  /** Row key in LEGACY_UPSTREAM_LIMITS ("<key> @ <revision>"). */
  key: string;
  title: string;
  start(): Promise<RunningUpstream>;
  revisions: readonly Revision[];
}

/** An HTTP fixture, named by its URL; namespace "" keeps the names the suite expects. */
const overHttp =
  (start: () => Promise<StartedProcess>, extra: Record<string, unknown> = {}) =>
  async (): Promise<RunningUpstream> => {
    const fixture = await start();
    return { config: { url: fixture.url, namespace: '', ...extra }, stop: () => fixture.stop() };
  };

const UPSTREAMS: readonly Upstream[] = [
  // The dual rows are the 2025-11-25 path (`protocol: legacy`); under auto, the default, they would be the modern-only rows again.
  { key: 'dual', title: 'the dual-era SDK v2 fixture', start: overHttp(() => startModernFixture('dual'), { protocol: 'legacy' }), revisions: REVISIONS },
  {
    key: 'dual-stdio',
    title: 'the dual-era SDK v2 fixture over stdio',
    // mcproxy starts (and stops) it as its child.
    start: async () => ({
      config: { command: process.execPath, args: [MODERN_FIXTURE_SCRIPT, '--stdio'], namespace: '', shared: true, protocol: 'legacy' },
      stop: async () => {},
    }),
    revisions: REVISIONS,
  },
  {
    key: 'modern-only',
    title: 'the SDK v2 fixture speaking only 2026-07-28',
    // auto, the default for every upstream: a legacy upstream entry cannot reach a server that
    // speaks only 2026-07-28.
    start: overHttp(() => startModernFixture('modern-only'), { protocol: 'auto' }),
    revisions: REVISIONS,
  },
  {
    key: 'legacy-only',
    title: 'the SDK v2 fixture speaking only 2025-11-25',
    start: overHttp(() => startModernFixture('legacy-only')),
    revisions: REVISIONS,
  },
  // 2025-11-25 sessions only (the SDK v2 low-level Server): it lacks the tools
  // the 2026-07-28 scenarios call, so its verdicts there would differ because
  // of the server, not the proxy.
  {
    key: 'low-level',
    title: 'the low-level 2025-11-25 conformance fixture',
    start: overHttp(() => startConformanceFixture()),
    revisions: ['2025-11-25'],
  },
];

const showTables = Boolean(process.env.CONFORMANCE_TABLES);

/** One mcproxy in HTTP mode with `upstream` (a config entry) as its only upstream. */
const proxyInFrontOf = (upstream: Record<string, unknown>) => startHttpProxy(writeConfig({ upstreams: { conformance: upstream } }));

for (const revision of REVISIONS) {
  describe(`MCP conformance ${CONFORMANCE_PACKAGE}, server side, --requirements ${revision}`, function () {
    // The first run downloads node@22 and the suite through npx (~1 min);
    // afterwards a run takes 10-20 s.
    this.timeout(600_000);
    let reference: ConformanceResult;
    before(async () => {
      const fixture = await startModernFixture('dual');
      try {
        reference = await runConformance(fixture.url, { requirements: revision });
      } finally {
        await fixture.stop();
      }
    });

    it('the dual-era reference fixture passes every required scenario, directly', function () {
      if (showTables) console.log(`\nreference @ ${revision}\n${verdictTable(reference)}\n`);
      const scoredFailures = reference.failed.filter((f) => !reference.notScored.includes(f.name));
      assert.deepEqual(scoredFailures, [], describeFailures(reference));
      // Guard against a silently shorter run (a scenario that never ran).
      const missing = REQUIRED_SERVER_SCENARIOS[revision].filter((s) => !reference.passed.includes(s));
      assert.deepEqual(missing, [], `required scenarios that did not run:\n${reference.output.slice(-4000)}`);
    });

    if (revision === '2025-11-25') {
      // The legacy upstreams below are fair stand-ins: directly, they get the reference's verdicts.
      for (const upstream of UPSTREAMS.filter((u) => u.key === 'legacy-only' || u.key === 'low-level')) {
        it(`${upstream.title} gets the reference's verdict on every scenario, directly`, async function () {
          const fixture = await upstream.start();
          try {
            const url = fixture.config.url as string;
            assertSameVerdicts(`${upstream.key} directly @ ${revision}`, reference, await runConformance(url, { requirements: revision }));
          } finally {
            await fixture.stop();
          }
        });
      }
    }

    for (const upstream of UPSTREAMS.filter((u) => u.revisions.includes(revision))) {
      const key = `${upstream.key} @ ${revision}`;
      it(`through mcproxy in front of ${upstream.title}: the reference's verdict on every scenario${pendingNote(key)}`, async function () {
        const fixture = await upstream.start();
        let proxy: HttpProxy | undefined;
        try {
          proxy = await proxyInFrontOf(fixture.config);
          assertSameVerdicts(key, reference, await runConformance(proxy.url, { requirements: revision }));
        } finally {
          await proxy?.stop();
          await fixture.stop();
        }
      });
    }
  });
}

describe('MCP conformance through one long-lived mcproxy instance', function () {
  this.timeout(600_000);
  let fixture: StartedProcess | undefined;
  let proxy: HttpProxy | undefined;
  before(async () => {
    fixture = await startConformanceFixture();
    proxy = await proxyInFrontOf({ url: fixture.url, namespace: '' });
  });
  after(async () => {
    await proxy?.stop();
    await fixture?.stop();
  });

  it('passes the 2025-11-25 requirement set three times in a row', async function () {
    // Where a proxy that leaked upstream sockets froze (each run opens ~30 sessions).
    // bench/conformance-repeat.ts runs it 5 times.
    for (let run = 1; run <= 3; run++) {
      const result = await runConformance(proxy!.url, { requirements: '2025-11-25' });
      const scoredFailures = result.failed.filter((f) => !result.notScored.includes(f.name));
      assert.deepEqual(scoredFailures, [], `run ${run}: ${describeFailures(result)}`);
      const missing = REQUIRED_SERVER_SCENARIOS['2025-11-25'].filter((s) => !result.passed.includes(s));
      assert.deepEqual(missing, [], `run ${run}: every required scenario ran`);
    }
  });
});
