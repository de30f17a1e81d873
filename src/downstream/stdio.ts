// The stdio listener: one session for the client that launched us (Claude Desktop, an IDE).
// stdout is the protocol from here on; the session ends when the client closes stdin.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { ClientSession } from '../session/session.js';

export async function startStdioListener(session: ClientSession): Promise<{ closed: Promise<void> }> {
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    const done = () => void session.close().then(resolve);
    process.stdin.once('end', done);
    process.stdin.once('close', done);
    session.onclose = () => resolve();
  });
  await session.connect(transport);
  return { closed };
}
