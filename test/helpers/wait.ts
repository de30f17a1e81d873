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

/** Repeats `attempt` until it resolves (an upstream back after a crash) and returns that answer; fails the test, naming `what`, after `ms`. */
export async function untilAnswered<T>(attempt: () => Promise<T>, what: string, ms = 5_000): Promise<T> {
  let answer: { value: T } | undefined;
  await waitUntil(
    () => attempt().then((value) => ((answer = { value }), true), () => false),
    what,
    ms,
  );
  return answer!.value;
}
