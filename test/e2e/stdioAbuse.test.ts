// The stdio listener under bad input: every bad line gets its JSON-RPC error (or is dropped with
// a log line), and the session carries on; nothing a client writes ends it.
import assert from 'node:assert/strict';
import { INITIALIZE } from '../helpers/jsonrpc.js';
import { writeConfig } from '../helpers/proxy.js';
import { startRawStdio, type RawStdioProxy } from '../helpers/rawStdio.js';
import { changing } from '../helpers/upstreams.js';

describe('stdio listener under bad input', function () {
  let proxy: RawStdioProxy;
  before(async () => {
    proxy = startRawStdio(writeConfig({ upstreams: { chg: changing } }));
    await proxy.write(JSON.stringify(INITIALIZE) + '\n');
    assert.equal((await proxy.next()).id, 1);
    await proxy.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n');
  });
  after(() => proxy?.child.kill());

  const ping = async (id: number) => {
    await proxy.write(JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' }) + '\n');
    assert.deepEqual(await proxy.next(), { jsonrpc: '2.0', id, result: {} });
  };

  it('skips a line over maxBodyBytes (11 MiB) with an error and keeps the session', async () => {
    const huge = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping', params: { pad: 'x'.repeat(11 * 1024 * 1024) } });
    await proxy.write(huge + '\n');
    assert.deepEqual(await proxy.next(), { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Message larger than 4194304 bytes; skipped' } });
    await ping(3);
    assert.equal(proxy.child.exitCode, null);
  });

  it('answers garbage, deep nesting, a batch and a wrong id type with the JSON-RPC error for each', async () => {
    await proxy.write('this is not json\n');
    assert.deepEqual((await proxy.next()).error, { code: -32700, message: 'Parse error: the line is not valid JSON' });
    await proxy.write('['.repeat(100_000) + '\n');
    assert.deepEqual((await proxy.next()).error, { code: -32600, message: 'Invalid Request: JSON nested deeper than 64 levels' });
    await proxy.write(JSON.stringify([{ jsonrpc: '2.0', id: 4, method: 'ping' }]) + '\n');
    assert.deepEqual((await proxy.next()).error, { code: -32600, message: 'Invalid Request: batches are not supported' });
    await proxy.write(JSON.stringify({ jsonrpc: '2.0', id: { no: 1 }, method: 'ping' }) + '\n');
    const wrongId = await proxy.next();
    assert.equal(wrongId.id, null);
    assert.match((wrongId.error as { message: string }).message, /not a JSON-RPC 2.0/);
    await ping(5);
  });

  it('drops a response to nothing with a log line', async () => {
    await proxy.write(JSON.stringify({ jsonrpc: '2.0', id: 999, result: {} }) + '\n');
    await ping(6);
    assert.match(proxy.stderr(), /warn \[session=stdio\] .*999/);
  });
});
