// A burst against the listener's rate limit, and the Retry-After that must follow it.
import assert from 'node:assert/strict';

/** Sends `count` requests one after another (reading every answer but the last); returns their statuses, the last answer, and when the burst began. */
export async function burst(count: number, post: () => Promise<Response>): Promise<{ statuses: number[]; last: Response; began: number }> {
  const began = Date.now();
  const statuses: number[] = [];
  let last!: Response;
  for (let i = 0; i < count; i++) {
    if (last) await last.text();
    last = await post();
    statuses.push(last.status);
  }
  return { statuses, last, began };
}

/** A limit of one token per `refillSeconds`: the wait is that less the time the burst took, in whole seconds. */
export function assertRetryAfter(last: Response, began: number, refillSeconds: number): void {
  const retryAfter = Number(last.headers.get('retry-after'));
  const floor = refillSeconds - Math.ceil((Date.now() - began) / 1000);
  assert.ok(Number.isInteger(retryAfter) && retryAfter <= refillSeconds && retryAfter >= floor, `Retry-After ${retryAfter}`);
}
