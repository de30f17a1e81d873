// Failures that say why: an upstream that exits, one that writes logs on stdout, a command that
// does not exist and a refused URL each name the cause in `mcproxy list`, in the log, and in the
// JSON-RPC error a client gets.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CLI, ROOT } from '../helpers/paths.js';
import { freePort } from '../helpers/net.js';
import { connectStdio, writeConfig } from '../helpers/proxy.js';
import { fixture } from '../helpers/upstreams.js';

/** Runs `mcproxy list --json` on a config; returns its report and stderr. */
function list(configFile: string): { status: number | null; failed: Record<string, string>; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, 'list', '--json', '--config', configFile], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, MCPROXY_LOG_LEVEL: 'warn' } });
  const report = JSON.parse(result.stdout) as { failed: Array<{ upstream: string; reason: string }> };
  return { status: result.status, failed: Object.fromEntries(report.failed.map((f) => [f.upstream, f.reason])), stderr: result.stderr };
}

describe('failures that say why', function () {
  it('mcproxy list names the exit code and stderr, stray stdout, a silent hang\'s stderr, a missing command and both HTTP transports', async () => {
    const closedPort = await freePort();
    const file = writeConfig({
      upstreams: {
        quitter: fixture('crashing-server', '--never-start', 'exit'),
        chatty: { command: process.execPath, args: ['-e', "console.log('Server listening on stdio'); setInterval(() => {}, 1000)"], timeoutMs: 5000 },
        missing: { command: 'mcproxy-test-no-such-command' },
        hanger: { ...fixture('crashing-server', '--never-start', 'hang'), timeoutMs: 5000 },
        refused: { url: `http://127.0.0.1:${closedPort}/mcp` },
        // What mcp-remote does when its server's host does not resolve: Node's crash output.
        thrower: { command: process.execPath, args: ['-e', "const e = new Error('getaddrinfo ENOTFOUND mcp.example.invalid'); Object.assign(e, { errno: -3008, code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'mcp.example.invalid' }); throw e"] },
      },
    });

    const { status, failed, stderr } = list(file);

    assert.equal(status, 1);
    assert.equal(
      failed.quitter,
      'Connection closed: the process exited with code 1; last stderr: crashing-server: refusing to start (--never-start exit)',
    );
    assert.equal(
      failed.chatty,
      'no answer to initialize within 5000 ms (timeoutMs): it wrote non-protocol output on stdout ("Server listening on stdio"); stdout must carry only MCP messages',
    );
    assert.equal(failed.hanger, 'no answer to initialize within 5000 ms (timeoutMs): last stderr: crashing-server: hanging without answering (--never-start hang)');
    assert.equal(failed.thrower, 'Connection closed: the process exited with code 1; last stderr: Error: getaddrinfo ENOTFOUND mcp.example.invalid', 'the message, not the stack or the error object');
    assert.equal(failed.missing, 'command not found: mcproxy-test-no-such-command (check `command`, `cwd` and PATH)');
    assert.match(
      failed.refused ?? '',
      new RegExp(`^Streamable HTTP: fetch failed \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${closedPort}\\); SSE fallback: .*ECONNREFUSED`),
    );
    // The log says it too, tagged with the upstream.
    assert.match(stderr, /\[upstream=quitter\] process exited with code 1/);
    assert.match(stderr, /\[upstream=chatty\] wrote non-protocol output on stdout \(only MCP messages belong there; logs go to stderr\): "Server listening on stdio"/);
  });

  it("a client's call to an upstream that exits mid-call gets the exit code and stderr in its error", async () => {
    const file = writeConfig({ upstreams: { crashy: fixture('crashing-server') } });
    const { client } = await connectStdio(file);
    try {
      await assert.rejects(client.callTool({ name: 'crashy__crash', arguments: {} }), (error: Error) => {
        assert.match(
          error.message,
          /Upstream 'crashy' closed the connection during tools\/call: the process exited with code 1; last stderr: crashing-server: crashing on purpose$/,
        );
        return true;
      });
      // Until it is back, calls are refused with the same reason.
      await assert.rejects(client.callTool({ name: 'crashy__echo', arguments: { text: 'hi' } }), (error: Error) => {
        assert.match(error.message, /Upstream 'crashy' is unavailable: connection closed: the process exited with code 1; last stderr: crashing-server: crashing on purpose/);
        return true;
      });
    } finally {
      await client.close();
    }
  });
});
