// The stdio listener: one session for the client that launched us (Claude Desktop, an IDE).
// stdout is the protocol from here on; the session ends when the client closes stdin. The
// client's first exchange fixes the era: `initialize` (2025-11-25) or a request carrying the
// 2026-07-28 `_meta` (server/discover first, usually); the SDK's serveStdio makes that choice.
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { LEGACY_PROTOCOL, MODERN_PROTOCOL } from '../config/erasSchema.js';
import type { ClientSession } from '../session/session.js';
import { BoundedStdioServerTransport } from './stdioTransport.js';

export async function startStdioListener(session: ClientSession): Promise<{ closed: Promise<void> }> {
  const transport = session.listens.watch(session.withFastLane(session.tap(new BoundedStdioServerTransport(session.config.server.limits))));
  const closed = new Promise<void>((resolve) => {
    const done = () => void session.close().then(resolve);
    process.stdin.once('end', done);
    process.stdin.once('close', done);
    session.onclose = () => resolve();
  });
  const { protocols } = session.config.server;
  // 2025-11-25 only: today's plain connection, where only initialize opens a session.
  if (!protocols.includes(MODERN_PROTOCOL)) await session.server.connect(transport);
  else serveStdio(() => session.server, { transport, legacy: protocols.includes(LEGACY_PROTOCOL) ? 'serve' : 'reject' });
  return { closed };
}
