// Every proxy a test run starts keeps its data (era verdicts, launch plans, pins, vCons) in a
// folder of that run, never in the user's own data folder. Set in mocha's main process, which
// the parallel workers and the proxies they spawn inherit; removed when the run ends. A test
// that needs a folder of its own still sets MCPROXY_DATA_DIR itself.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

let created;
if (!process.env.MCPROXY_DATA_DIR) {
  created = fs.mkdtempSync(path.join(os.tmpdir(), 'mcproxy-test-data-'));
  process.env.MCPROXY_DATA_DIR = created;
}

exports.mochaGlobalTeardown = () => {
  if (created) fs.rmSync(created, { recursive: true, force: true });
};
