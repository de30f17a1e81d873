// A launched stdio proxy answers its client's first lists from what its servers listed last
// launch while they still start (src/upstream/listingSnapshot.ts): a call waits for its server,
// the client hears list_changed when the server lists something else or fails to start, and
// nothing when it lists the same. The server is crashing-server held by a file: while the file
// exists it has answered nothing, not even initialize, so a list that names its tools came from
// the snapshot.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { connectStdio, writeConfig } from '../helpers/proxy.js';
import { fixture } from '../helpers/upstreams.js';
import { waitUntil } from '../helpers/wait.js';

const names = async (client: Client) => (await client.listTools()).tools.map((tool) => tool.name);
const text = (result: unknown) => (result as { content: Array<{ text: string }> }).content[0].text;

describe('a relaunched stdio proxy while its server starts', function () {
  this.timeout(90_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-snapshot-'));
  const [hold, tools, down] = ['hold', 'tools', 'down'].map((name) => path.join(dir, name));
  const env = { MCPROXY_DATA_DIR: path.join(dir, 'data') };
  // legacy: no era probe, whose sibling process would start (and be held) too.
  const file = writeConfig({ upstreams: { cr: { ...fixture('crashing-server', '--hold-file', hold, '--tools-file', tools, '--down-file', down), protocol: 'legacy' } } });
  /** A launch whose server starts once `release()` is called; counts the list_changed it hears. */
  const launchHeld = async (extraEnv: Record<string, string> = {}) => {
    writeFileSync(hold, '');
    const { client } = await connectStdio(file, { env: { ...env, ...extraEnv } });
    const heard = { changed: 0 };
    client.setNotificationHandler('notifications/tools/list_changed', () => void heard.changed++);
    return { client, heard, release: () => rmSync(hold) };
  };
  after(() => rmSync(dir, { recursive: true, force: true }));

  before(async () => {
    // The first launch ever lists from the server itself, and keeps what it listed.
    writeFileSync(tools, 'first\n');
    const { client } = await connectStdio(file, { env });
    assert.ok((await names(client)).includes('cr__first'));
    await client.close();
    const snapshots = path.join(env.MCPROXY_DATA_DIR, 'listing-snapshots.json');
    await waitUntil(() => existsSync(snapshots) && readFileSync(snapshots, 'utf8').includes('cr'), 'the snapshot on disk');
  });

  it('lists what the server listed last time, calls wait for the server, and list_changed brings what it lists now', async () => {
    writeFileSync(tools, 'second\n');
    const { client, heard, release } = await launchHeld();
    try {
      const listed = await names(client);
      assert.ok(listed.includes('cr__first') && listed.includes('cr__echo'), `the last launch's tools, the server still held: ${listed.join(', ')}`);
      assert.ok(!listed.includes('cr__second'));
      const call = client.callTool({ name: 'cr__echo', arguments: { text: 'waited' } });
      // A tool the snapshot does not name (new in this start) is not refused while the server starts.
      const unlisted = client.callTool({ name: 'cr__second', arguments: {} });
      release();
      assert.equal(text(await call), 'waited', 'the call waited for the server instead of failing');
      assert.equal(text(await unlisted), 'second');
      await waitUntil(() => heard.changed > 0, 'list_changed for the tools the server lists now');
      const live = await names(client);
      assert.ok(live.includes('cr__second') && !live.includes('cr__first'), live.join(', '));
    } finally {
      await client.close();
    }
  });

  it('says nothing when the server lists what it listed last time', async () => {
    const { client, heard, release } = await launchHeld();
    try {
      assert.ok((await names(client)).includes('cr__second'));
      const call = client.callTool({ name: 'cr__echo', arguments: { text: 'same' } });
      release();
      // The proxy compares the live listing, asked for as the server became ready, before the call reaches it: a list_changed would be here first.
      assert.equal(text(await call), 'same');
      assert.ok((await names(client)).includes('cr__second'));
      assert.equal(heard.changed, 0);
    } finally {
      await client.close();
    }
  });

  it('takes its tools away with list_changed when the server fails to start', async () => {
    writeFileSync(down, String(Date.now() + 60_000));
    const { client, heard, release } = await launchHeld();
    try {
      assert.ok((await names(client)).includes('cr__echo'), 'listed from the snapshot');
      release();
      await waitUntil(() => heard.changed > 0, 'list_changed once the start failed', 20_000);
      assert.ok(!(await names(client)).includes('cr__echo'));
    } finally {
      await client.close();
      rmSync(down);
    }
  });

  it('waits for the server with MCPROXY_LAUNCH_CATALOG=0', async () => {
    writeFileSync(tools, 'third\n');
    const { client, release } = await launchHeld({ MCPROXY_LAUNCH_CATALOG: '0' });
    try {
      const listing = names(client);
      release();
      const listed = await listing;
      assert.ok(listed.includes('cr__third') && !listed.includes('cr__second'), `what the server lists now: ${listed.join(', ')}`);
    } finally {
      await client.close();
    }
  });
});
