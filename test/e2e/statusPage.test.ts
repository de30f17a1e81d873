// The /status page in a real browser: Debian's Chromium, headless, against the real proxy in
// front of server-everything and an upstream that never starts. It renders the DOM the page
// builds (--dump-dom) and a screenshot into test-output/ for people to look at.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, CHROMIUM } from '../helpers/chromium.js';
import { ROOT } from '../helpers/paths.js';
import { connectHttp, startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';
import { everything, fixture } from '../helpers/upstreams.js';

const OUTPUT = path.join(ROOT, 'test-output');

describe('the /status page in headless Chromium', function () {
  this.timeout(180_000);
  let proxy: HttpProxy;
  before(function () {
    assert.ok(existsSync(CHROMIUM), `Chromium is needed at ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`);
  });
  before(async () => {
    proxy = await startHttpProxy(writeConfig({ upstreams: { everything: { ...everything, required: true }, broken: { ...fixture('crashing-server', '--never-start', 'exit'), required: true } } }));
  });
  after(async () => proxy?.stop());

  it('shows each upstream with its state and numbers, and a latency chart, loading nothing from elsewhere', async () => {
    const { client, transport } = await connectHttp(proxy.url);
    try {
      for (let i = 0; i < 12; i++) await client.callTool({ name: 'everything__echo', arguments: { message: `call ${i}` } });
      await client.callTool({ name: 'everything__get-sum', arguments: { a: 1, b: 2 } });
      const page = `${new URL(proxy.url).origin}/status`;
      const served = await fetch(page);
      assert.equal(served.status, 200);
      assert.match(served.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      const html = await served.text();
      assert.doesNotMatch(html, /\b(src|href)=|<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'no script and no external resource');

      const dom = await chromium(['--dump-dom', '--virtual-time-budget=2000'], page);
      const row = (name: string) => new RegExp(`<tr data-upstream="${name}">([^]*?)</tr>`).exec(dom)?.[1] ?? '';
      assert.match(row('everything'), /<td class="state"[^>]*>up<\/td>/);
      const cells = [...row('everything').matchAll(/<td class="n">([^<]*)<\/td>/g)].map((m) => m[1]);
      const [restarts, tools, calls, errors, p50, p95] = cells;
      assert.equal(restarts, '0');
      assert.ok(Number(tools) > 5 && Number(calls) >= 13 && errors === '0', cells.join(' '));
      assert.ok(Number(p50) > 0 && Number(p95) >= Number(p50), cells.join(' '));
      // It retries with backoff: down, or starting again at the moment of the snapshot.
      assert.match(row('broken'), />(down|starting|failed)<\/td>/);
      assert.match(row('broken'), /refusing to start/);
      assert.match(dom, /id="readiness"[^>]*>not ready: broken \((down|starting|failed)\)/);
      assert.match(dom, /<svg id="latency"[^>]*>[^]*<g data-upstream="everything"><polyline [^>]*points="(\d+(\.\d+)?,\d+(\.\d+)? ){12,}/);

      mkdirSync(OUTPUT, { recursive: true });
      const shot = path.join(OUTPUT, 'status-page.png');
      rmSync(shot, { force: true });
      await chromium([`--screenshot=${shot}`, '--window-size=1000,720', '--hide-scrollbars'], page);
      const png = readFileSync(shot);
      assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
      assert.ok(png.length > 10_000, `a screenshot with something on it (${png.length} bytes)`);
    } finally {
      await transport.terminateSession().catch(() => {});
      await client.close();
    }
  });
});
