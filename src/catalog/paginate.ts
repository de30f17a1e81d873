// The proxy's own list pagination. Cursors are opaque to clients: base64url JSON holding the
// list they belong to and the offset to resume at.
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';

interface CursorState {
  list: string;
  offset: number;
}

export function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

function decodeCursor(cursor: string, list: string): number {
  try {
    const state = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorState;
    if (state.list === list && Number.isInteger(state.offset) && state.offset >= 0) return state.offset;
  } catch {
    // fall through to the error below
  }
  throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid cursor for ${list}: ${JSON.stringify(cursor)}`);
}

/** One page of `items`, with the cursor of the next page when there is one. */
export function paginate<T>(items: readonly T[], list: string, pageSize: number, cursor?: string): { page: T[]; nextCursor?: string } {
  const offset = cursor === undefined ? 0 : decodeCursor(cursor, list);
  const end = offset + pageSize;
  const page = items.slice(offset, end);
  return end < items.length ? { page, nextCursor: encodeCursor({ list, offset: end }) } : { page };
}
