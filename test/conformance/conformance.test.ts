/**
 * Protocol fidelity: the official MCP conformance suite (server mode, pinned
 * version, see suite.ts) against the conformance fixture server, started as a
 * real child process.
 */
import assert from 'node:assert/strict';

import { startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';

import {
  ACTIVE_SERVER_SCENARIOS,
  PENDING_SERVER_SCENARIOS,
  describeFailures,
  runConformance,
  type ConformanceResult,
  startConformanceFixture,
  type StartedProcess,
} from './suite.js';

/** The checks that warned in each pending scenario against the fixture directly: the bar for the proxy. */
let directPendingWarnings: string[] | undefined;

/** "scenario: check-id" for every warning check of a run. */
const warnedChecks = (result: ConformanceResult) =>
  result.warnings.flatMap((w) => w.detail.split('; ').map((check) => `${w.name}: ${check.split(':')[0]}`)).sort();

/** Both suites, every scenario passing, against whatever `url()` serves once `before` ran. */
function passesEveryScenario(url: () => string, direct: boolean) {
  it('passes every active server scenario', async function () {
    const result = await runConformance(url());
    assert.deepEqual(result.failed, [], describeFailures(result));
    // Guard against a silently shorter run (e.g. a scenario that never ran).
    const missing = ACTIVE_SERVER_SCENARIOS.filter((s) => !result.passed.includes(s));
    assert.deepEqual(missing, [], `scenarios that did not run:\n${result.output.slice(-4000)}`);
  });

  it('passes the pending server scenarios', async function () {
    // json-schema-2020-12 (raw $schema/$defs kept in tools/list) and
    // server-sse-polling (resume a closed POST stream with Last-Event-ID).
    const result = await runConformance(url(), { suite: 'pending' });
    assert.deepEqual(result.failed, [], describeFailures(result));
    assert.deepEqual([...result.passed].sort(), [...PENDING_SERVER_SCENARIOS].sort());
    // Through the proxy, no warning the server itself does not get (the resumption checks of
    // server-sse-polling among them).
    if (direct) directPendingWarnings = warnedChecks(result);
    else assert.deepEqual(warnedChecks(result), directPendingWarnings ?? [], 'warnings through the proxy beyond the direct server’s');
  });
}

describe('MCP conformance suite against the fixture server', function () {
  // The first run downloads node@22 and the suite through npx (~1 min);
  // afterwards a full run takes a few seconds.
  this.timeout(600_000);
  let fixture: StartedProcess | undefined;
  before(async () => {
    fixture = await startConformanceFixture();
  });
  after(async () => fixture?.stop());

  passesEveryScenario(() => fixture!.url, true);
});

describe('MCP conformance suite through mcproxy, in front of the fixture server', function () {
  this.timeout(600_000);
  let fixture: StartedProcess | undefined;
  let proxy: HttpProxy | undefined;
  before(async () => {
    fixture = await startConformanceFixture();
    // The fixture's names unchanged (namespace ""), so the suite finds what it expects.
    proxy = await startHttpProxy(writeConfig({ upstreams: { conformance: { url: fixture.url, namespace: '' } } }));
  });
  after(async () => {
    await proxy?.stop();
    await fixture?.stop();
  });

  passesEveryScenario(() => proxy!.url, false);

  it('passes the active suite twice more against the same proxy instance', async function () {
    // The suite never deletes its sessions (30 a run): this is where a proxy that leaked
    // upstream sockets froze, at about 60. bench/conformance-repeat.ts runs it 5 times.
    for (let run = 2; run <= 3; run++) {
      const result = await runConformance(proxy!.url);
      assert.deepEqual(result.failed, [], `run ${run}: ${describeFailures(result)}`);
      assert.equal(result.passed.length, ACTIVE_SERVER_SCENARIOS.length, `run ${run}: every scenario ran`);
    }
  });
});
