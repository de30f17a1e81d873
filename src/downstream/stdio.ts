// The stdio listener: one session for the client that launched us (Claude Desktop, an IDE).
// stdout is the protocol from here on; the session ends when the client closes stdin.
import type { ClientSession } from '../session/session.js';
import { BoundedStdioServerTransport } from './stdioTransport.js';

export async function startStdioListener(session: ClientSession): Promise<{ closed: Promise<void> }> {
  const transport = new BoundedStdioServerTransport(session.config.server.limits);
  const closed = new Promise<void>((resolve) => {
    const done = () => void session.close().then(resolve);
    process.stdin.once('end', done);
    process.stdin.once('close', done);
    session.onclose = () => resolve();
  });
  await session.connect(transport);
  return { closed };
}

