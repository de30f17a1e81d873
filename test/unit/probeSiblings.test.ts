// Probe siblings started ahead (ChildProcessTransport.startSibling): the SDK's `new
// ChildProcessTransport({ ...params, stderr: 'ignore' })` takes one already running, one each when
// upstreams share their spawn parameters, and one no probe took is ended, never left running.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ChildProcessTransport } from '../../src/upstream/transports/childTransport.js';
import { alive } from '../helpers/processes.js';

/** The pids of this process's children running cat. */
const catsRunning = () =>
  execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.trim().endsWith(' cat'))
    .map((line) => Number(line.trim().split(/\s+/)[0]))
    .sort();

describe('probe siblings started ahead', () => {
  it('gives each probe of upstreams with the same command its own running sibling, and ends the one not taken', async () => {
    const serving = () => new ChildProcessTransport({ command: '/bin/cat', args: [], env: {}, graceMs: 500 });
    const ends = [ChildProcessTransport.startSibling(serving()), ChildProcessTransport.startSibling(serving()), ChildProcessTransport.startSibling(serving())];
    const probes = [new ChildProcessTransport({ ...serving()._serverParams, stderr: 'ignore' }), new ChildProcessTransport({ ...serving()._serverParams, stderr: 'ignore' })];
    await Promise.all(probes.map((probe) => probe.start()));
    const [first, second] = probes.map((probe) => probe.pid);
    assert.ok(first && second && first !== second, 'two probes, two siblings');
    assert.ok(alive(first) && alive(second));
    await Promise.all(ends.map((end) => end()));
    assert.ok(alive(first) && alive(second), 'a sibling a probe took is the probe\'s to reap');
    assert.deepEqual(catsRunning(), [first, second].sort(), 'the third, which no probe took, has ended');
    const fresh = new ChildProcessTransport({ ...serving()._serverParams, stderr: 'ignore' });
    assert.equal(fresh.pid, null, 'the one no probe took was ended, not handed out');
    await Promise.all(probes.map((probe) => probe._dispose()));
    assert.ok(!alive(first) && !alive(second));
  });
});
