// Logs as an operator reads them: logging.format json gives one JSON object per stderr line,
// naming the upstream or session it is about, and a credential from the config never appears,
// even when an upstream prints it on its stderr.
import assert from 'node:assert/strict';
import { connectHttp, startHttpProxy, writeConfig } from '../helpers/proxy.js';
import { everything } from '../helpers/upstreams.js';
import { waitUntil } from '../helpers/wait.js';

const SECRET = 'sk-live-0123456789abcdef';

describe('logs', function () {
  this.timeout(60_000);

  it('logging.format json: one object per line, naming upstream and session; config secrets redacted', async () => {
    // A real child process that prints the token it was given on its stderr, then stays up.
    // legacy: it is no MCP server, and a `protocol: auto` probe would wait for its answer before the child that logs starts;
    // timeoutMs: its initialize goes unanswered, and the first list waits for it to give up.
    const leaky = { command: process.execPath, args: ['-e', 'console.error("my token is " + process.env.API_TOKEN); setInterval(() => {}, 1000)'], env: { API_TOKEN: '${LEAKY_TOKEN}' }, protocol: 'legacy', timeoutMs: 2000 };
    const proxy = await startHttpProxy(writeConfig({ logging: { format: 'json' }, upstreams: { ev: everything, leaky } }), [], { LEAKY_TOKEN: SECRET });
    try {
      const { client, transport } = await connectHttp(proxy.url);
      await client.listTools();
      await transport.terminateSession();
      await client.close();
      await waitUntil(() => proxy.stderr().includes('my token is'), 'the upstream\'s stderr line', 15_000);
      const lines = proxy.stderr().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, string>);
      for (const line of lines) {
        assert.ok(line.timestamp && line.level && typeof line.message === 'string', JSON.stringify(line));
      }
      const leaked = lines.find((line) => line.message.includes('my token is'))!;
      assert.equal(leaked.upstream, 'leaky');
      assert.equal(leaked.message, 'my token is [REDACTED]');
      assert.ok(lines.some((line) => line.upstream === 'ev' && /connected to/.test(line.message)));
      assert.ok(lines.some((line) => line.session && /session started/.test(line.message)));
      assert.ok(!proxy.stderr().includes(SECRET), 'the secret is nowhere in the logs');
    } finally {
      await proxy.stop();
    }
  });
});
