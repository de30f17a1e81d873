// The stdio listener: one session for the client that launched us (Claude Desktop, an IDE).
// stdout is the protocol from here on; the session ends when the client closes stdin.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { log } from '../log.js';
import { tapUnparsedLines, type UnparsedLine } from '../readBufferTap.js';
import type { ClientSession } from '../session/session.js';

export async function startStdioListener(session: ClientSession): Promise<{ closed: Promise<void> }> {
  const transport = new StdioServerTransport();
  // The SDK drops a line it cannot parse; JSON-RPC says to answer it, as the HTTP listener does.
  tapUnparsedLines(transport, (unparsed) => {
    log.warn(`${unparsed.json ? 'not a JSON-RPC message' : 'malformed JSON'} from the client: ${JSON.stringify(unparsed.line.slice(0, 200))}`, { session: session.label });
    transport.send(parseErrorFor(unparsed)).catch(() => {});
  });
  const closed = new Promise<void>((resolve) => {
    const done = () => void session.close().then(resolve);
    process.stdin.once('end', done);
    process.stdin.once('close', done);
    session.onclose = () => resolve();
  });
  await session.connect(transport);
  return { closed };
}

/** -32700 for text that is not JSON, -32600 for JSON that is not a JSON-RPC message; id null unless one can be read. */
function parseErrorFor({ line, json }: UnparsedLine): JSONRPCMessage {
  const error = json
    ? { code: -32600, message: 'Invalid Request: not a JSON-RPC 2.0 message' }
    : { code: -32700, message: 'Parse error: the line is not valid JSON' };
  return { jsonrpc: '2.0', id: (json ? idIn(line) : null) as never, error };
}

function idIn(line: string): string | number | null {
  const id = (JSON.parse(line) as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}
