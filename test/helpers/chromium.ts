// Debian's Chromium, headless, for tests of pages: one run per call, in a fresh profile; a page
// to dump, or one to click through.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Runs headless Chromium with `args` on `url`; resolves with its stdout (the DOM, with --dump-dom). */
export function chromium(args: string[], url: string): Promise<string> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-chromium-'));
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage', `--user-data-dir=${profile}`];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, [...flags, ...args, url], { timeout: 90_000, maxBuffer: 10 * 1024 * 1024 }, (error, stdout, stderr) => {
      rmSync(profile, { recursive: true, force: true });
      if (error) reject(new Error(`chromium failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/**
 * Opens `url` in headless Chromium driven over the DevTools protocol (on a pipe), waits for
 * `selector`, clicks it, and resolves with the text of the page it ends on once `done` says so:
 * a person who reads the page and presses its button.
 */
export async function clickThrough(url: string, selector: string, done: (text: string) => boolean, ms = 60_000): Promise<string> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-chromium-'));
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage', `--user-data-dir=${profile}`, '--remote-debugging-pipe'];
  const browser = spawn(CHROMIUM, [...flags, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  const toBrowser = browser.stdio[3] as Writable;
  const fromBrowser = browser.stdio[4] as Readable;
  const pending = new Map<number, { resolve(result: Record<string, unknown>): void; reject(error: Error): void }>();
  let nextId = 0;
  let buffered = '';
  fromBrowser.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    for (let end = buffered.indexOf('\0'); end !== -1; end = buffered.indexOf('\0')) {
      const message = JSON.parse(buffered.slice(0, end)) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
      buffered = buffered.slice(end + 1);
      const waiting = message.id === undefined ? undefined : pending.get(message.id);
      if (!waiting) continue;
      pending.delete(message.id!);
      if (message.error) waiting.reject(new Error(message.error.message));
      else waiting.resolve(message.result ?? {});
    }
  });
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId && { sessionId }) })}\0`);
    });
  const deadline = Date.now() + ms;
  try {
    const { targetInfos } = (await send('Target.getTargets')) as { targetInfos: Array<{ targetId: string; type: string }> };
    const page = targetInfos.find((target) => target.type === 'page') ?? ((await send('Target.createTarget', { url: 'about:blank' })) as { targetId: string });
    const { sessionId } = (await send('Target.attachToTarget', { targetId: page.targetId, flatten: true })) as { sessionId: string };
    const evaluate = async (expression: string) => ((await send('Runtime.evaluate', { expression, returnByValue: true }, sessionId)) as { result: { value?: unknown } }).result.value;
    const until = async <T>(check: () => Promise<T | undefined>, what: string): Promise<T> => {
      for (;;) {
        const value = await check().catch(() => undefined);
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`Chromium: ${what} did not happen within ${ms} ms (page: ${String(await evaluate('document.body?.innerText').catch(() => '?'))})`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await send('Page.navigate', { url }, sessionId);
    await until(async () => ((await evaluate(`document.readyState === 'complete' && document.querySelector(${JSON.stringify(selector)}) !== null`)) ? true : undefined), `${selector} to appear`);
    await evaluate(`document.querySelector(${JSON.stringify(selector)}).click()`);
    return await until(async () => {
      const text = (await evaluate(`document.readyState === 'complete' ? document.body.innerText : undefined`)) as string | undefined;
      return text !== undefined && done(text) ? text : undefined;
    }, 'the page to finish');
  } finally {
    // Closed the way a person closes it, so its helper processes are done with the profile too.
    const exited = new Promise((resolve) => (browser.exitCode !== null ? resolve(undefined) : browser.once('exit', resolve)));
    await Promise.race([send('Browser.close').catch(() => {}), new Promise((resolve) => setTimeout(resolve, 5_000))]);
    const killer = setTimeout(() => browser.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}
