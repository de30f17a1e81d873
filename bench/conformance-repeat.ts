// The official MCP conformance suite (the 2025-11-25 requirement set), run RUNS times in a row
// (default 5) against ONE mcproxy instance in front of the conformance fixture served over
// Streamable HTTP, then the pending suite once, directly and through the proxy. Sessions are never deleted by the suite, so this
// is what froze the proxy at about 60 sessions before each upstream connection had its own
// sockets. Prints each run's result; exits 1 if any run failed.
//   npm run build && node dist/bench/conformance-repeat.js
import { describeFailures, runConformance, startConformanceFixture } from '../test/conformance/suite.js';
import { startHttpProxy, writeConfig } from '../test/helpers/proxy.js';

const RUNS = Number(process.env.RUNS ?? 5);

const fixture = await startConformanceFixture();
const proxy = await startHttpProxy(writeConfig({ upstreams: { conformance: { url: fixture.url, namespace: '' } } }));
let failed = false;
try {
  for (let run = 1; run <= RUNS; run++) {
    const result = await runConformance(proxy.url, { requirements: '2025-11-25' });
    failed ||= result.failed.length > 0;
    const sessions = (proxy.stderr().match(/session started/g) ?? []).length;
    console.log(
      `run ${run}/${RUNS} (2025-11-25 requirements): ${result.passed.length} scenarios passed, ${result.failed.length} failed, ` +
        `${result.warnings.length} with warnings, ${(result.durationMs / 1000).toFixed(1)} s; ${sessions} sessions opened on the proxy so far`,
    );
    if (result.failed.length > 0) console.log(describeFailures(result));
  }
  for (const [label, url] of [
    ['direct ', fixture.url],
    ['through', proxy.url],
  ]) {
    const result = await runConformance(url, { suite: 'pending', specVersion: '2025-11-25' });
    failed ||= result.failed.length > 0;
    console.log(`pending suite ${label} mcproxy: passed ${result.passed.join(', ') || 'none'}; failed ${result.failed.length}`);
    if (result.failed.length > 0) console.log(describeFailures(result));
    for (const warning of result.warnings) console.log(`  warning ${warning.name}: ${warning.detail}`);
    if (result.warnings.length === 0) console.log('  no warnings');
  }
} finally {
  await proxy.stop();
  await fixture.stop();
}
process.exit(failed ? 1 : 0);
