/**
 * Protocol fidelity, client side: the official MCP conformance suite's client
 * scenarios that need no authorization server, at each revision, with mcproxy
 * as the client of the scenario server (proxyClient.ts: the real SDK v2
 * client drives one session through a real mcproxy whose only upstream is
 * the scenario's URL). The bar is the same SDK v2 client connecting
 * directly (`proxyClient.js --direct`), which must pass every one of them;
 * mcproxy must give its verdict on every scenario, with no difference listed.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

import {
  CONFORMANCE_PACKAGE,
  NON_AUTH_CLIENT_SCENARIOS,
  REVISIONS,
  assertSameVerdicts,
  describeFailures,
  pendingNote,
  runConformance,
  verdictTable,
  type ConformanceResult,
} from './suite.js';

const WRAPPER = fileURLToPath(new URL('./proxyClient.js', import.meta.url));
const wrapperCommand = (direct: boolean) => `${process.execPath} ${WRAPPER}${direct ? ' --direct' : ''}`;
const showTables = Boolean(process.env.CONFORMANCE_TABLES);

for (const revision of REVISIONS) {
  describe(`MCP conformance ${CONFORMANCE_PACKAGE}, client side (no auth), ${revision}`, function () {
    this.timeout(600_000);
    const scenarios = NON_AUTH_CLIENT_SCENARIOS[revision];
    const run = (direct: boolean) =>
      runConformance({ clientCommand: wrapperCommand(direct) }, { scenarios, specVersion: revision });
    let reference: ConformanceResult;
    before(async () => {
      reference = await run(true);
    });

    it('the SDK v2 client passes every scenario, directly', function () {
      if (showTables) console.log(`\nreference client @ ${revision}\n${verdictTable(reference)}\n`);
      assert.deepEqual(reference.failed, [], describeFailures(reference));
      assert.deepEqual([...reference.passed].sort(), [...scenarios].sort(), 'every scenario ran');
    });

    const key = `client @ ${revision}`;
    it(`mcproxy as the client gets the reference's verdict on every scenario${pendingNote(key)}`, async function () {
      assertSameVerdicts(key, reference, await run(false));
    });
  });
}
