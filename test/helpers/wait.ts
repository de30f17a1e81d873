// Waiting in tests: a plain sleep, and polling until something holds or the test fails.
import assert from 'node:assert/strict';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds; fails the test, naming `what`, after `ms` (see processes.ts for a waitFor that returns false instead). */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(25);
  }
}
