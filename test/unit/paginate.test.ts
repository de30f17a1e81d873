// The proxy's own list pagination: pages, opaque cursors, and the errors for bad ones.
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import assert from 'node:assert/strict';
import { encodeCursor, paginate } from '../../src/catalog/paginate.js';

const items = Array.from({ length: 25 }, (_, i) => `item-${i}`);

/** Every page of `list`, following the cursors; fails on a cursor loop. */
function allPages(all: readonly string[], list: string, pageSize: number): string[][] {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const { page, nextCursor } = paginate(all, list, pageSize, cursor);
    pages.push(page);
    cursor = nextCursor;
    assert.ok(pages.length <= all.length + 1, 'cursors end');
  } while (cursor !== undefined);
  return pages;
}

function isInvalidParams(pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ProtocolError, `expected McpError, got ${String(error)}`);
    assert.equal(error.code, ProtocolErrorCode.InvalidParams);
    assert.match(error.message, pattern);
    return true;
  };
}

describe('paginate', () => {
  it('splits a list into pages of pageSize, the last one shorter, with no cursor after it', () => {
    const pages = allPages(items, 'tools', 10);
    assert.deepEqual(
      pages.map((p) => p.length),
      [10, 10, 5],
    );
    assert.deepEqual(pages.flat(), items, 'every item once, in order');
  });

  it('gives one page and no cursor when everything fits', () => {
    assert.deepEqual(paginate(items, 'tools', 100), { page: items });
    assert.deepEqual(paginate(items, 'tools', 25), { page: items }, 'exactly one full page');
    assert.deepEqual(paginate([], 'tools', 10), { page: [] });
  });

  it('has no empty trailing page when the list is a multiple of pageSize', () => {
    const pages = allPages(items.slice(0, 20), 'prompts', 10);
    assert.deepEqual(
      pages.map((p) => p.length),
      [10, 10],
    );
  });

  it('pages of size 1 visit every item', () => {
    assert.deepEqual(allPages(items, 'resources', 1).flat(), items);
  });

  it('hands out opaque cursors that round-trip to the next page', () => {
    const first = paginate(items, 'tools', 10);
    assert.ok(first.nextCursor);
    assert.doesNotMatch(first.nextCursor, /[^A-Za-z0-9_-]/, 'base64url, safe to pass around');
    const second = paginate(items, 'tools', 10, first.nextCursor);
    assert.deepEqual(second.page, items.slice(10, 20));
    // The same cursor gives the same page again: cursors hold no server state.
    assert.deepEqual(paginate(items, 'tools', 10, first.nextCursor), second);
    assert.equal(encodeCursor({ list: 'tools', offset: 10 }), first.nextCursor);
  });

  it('a cursor past the end gives an empty page', () => {
    assert.deepEqual(paginate(items, 'tools', 10, encodeCursor({ list: 'tools', offset: 100 })), { page: [] });
  });

  it('refuses a cursor that is not one of its own with InvalidParams', () => {
    for (const bad of ['garbage', '', '!!!', Buffer.from('{"offset":1}').toString('base64url'), Buffer.from('null').toString('base64url')]) {
      assert.throws(() => paginate(items, 'tools', 10, bad), isInvalidParams(/Invalid cursor for tools/), `cursor ${JSON.stringify(bad)}`);
    }
  });

  it('refuses a cursor with a negative or fractional offset', () => {
    assert.throws(() => paginate(items, 'tools', 10, encodeCursor({ list: 'tools', offset: -1 })), isInvalidParams(/Invalid cursor/));
    assert.throws(() => paginate(items, 'tools', 10, encodeCursor({ list: 'tools', offset: 1.5 })), isInvalidParams(/Invalid cursor/));
  });

  it('refuses the cursor of another list', () => {
    const { nextCursor } = paginate(items, 'prompts', 10);
    assert.ok(nextCursor);
    assert.throws(() => paginate(items, 'tools', 10, nextCursor), isInvalidParams(/Invalid cursor for tools/));
    assert.throws(() => paginate(items, 'resourceTemplates', 10, nextCursor), isInvalidParams(/Invalid cursor for resourceTemplates/));
  });
});
