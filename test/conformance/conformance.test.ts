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
  startConformanceFixture,
  type StartedProcess,
} from './suite.js';

describe('MCP conformance suite', function () {
  // The first run downloads node@22 and the suite through npx (~1 min);
  // afterwards a full run takes a few seconds.
  this.timeout(600_000);

  let fixture: StartedProcess | undefined;

  before(async function () {
    fixture = await startConformanceFixture();
  });

  after(async function () {
    await fixture?.stop();
  });

  it('passes every active server scenario against the fixture', async function () {
    const result = await runConformance(fixture!.url);
    assert.deepEqual(result.failed, [], describeFailures(result));
    // Guard against a silently shorter run (e.g. a scenario that never ran).
    const missing = ACTIVE_SERVER_SCENARIOS.filter((s) => !result.passed.includes(s));
    assert.deepEqual(missing, [], `scenarios that did not run:\n${result.output.slice(-4000)}`);
  });

  it('passes the pending server scenarios against the fixture', async function () {
    // json-schema-2020-12 (raw $schema/$defs kept in tools/list) and
    // server-sse-polling (resume a closed POST stream with Last-Event-ID).
    const result = await runConformance(fixture!.url, { suite: 'pending' });
    assert.deepEqual(result.failed, [], describeFailures(result));
    assert.deepEqual([...result.passed].sort(), [...PENDING_SERVER_SCENARIOS].sort());
  });
});

describe('MCP conformance suite through mcproxy', function () {
  this.timeout(600_000);

  let fixture: StartedProcess | undefined;
  let proxy: HttpProxy | undefined;

  before(async function () {
    fixture = await startConformanceFixture();
    // The fixture's names unchanged (namespace ""), so the suite finds what it expects.
    proxy = await startHttpProxy(writeConfig({ upstreams: { conformance: { url: fixture.url, namespace: '' } } }));
  });

  after(async function () {
    await proxy?.stop();
    await fixture?.stop();
  });

  it('passes every active server scenario, as the fixture does directly', async function () {
    const result = await runConformance(proxy!.url);
    assert.deepEqual(result.failed, [], describeFailures(result));
    const missing = ACTIVE_SERVER_SCENARIOS.filter((s) => !result.passed.includes(s));
    assert.deepEqual(missing, [], `scenarios that did not run:\n${result.output.slice(-4000)}`);
  });

  it('passes the pending server scenarios too', async function () {
    const result = await runConformance(proxy!.url, { suite: 'pending' });
    assert.deepEqual(result.failed, [], describeFailures(result));
    assert.deepEqual([...result.passed].sort(), [...PENDING_SERVER_SCENARIOS].sort());
  });
});
