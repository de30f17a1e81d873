// Bytes to and from clients, read from the sockets' own counters when metrics are scraped:
// nothing on the request path but one Set insertion per new socket. HTTP: every socket a
// request came on (closed ones add their final counts); stdio: the process's stdin and stdout.
import type { Socket } from 'node:net';
import type { HttpFilter } from '../downstream/filters.js';

export interface ByteTotals {
  received: number;
  sent: number;
}

export interface ByteMeter {
  totals(): ByteTotals;
}

export class HttpByteMeter implements ByteMeter {
  private readonly open = new Set<Socket>();
  private readonly closed: ByteTotals = { received: 0, sent: 0 };

  /** An HTTP filter that only notes the request's socket; it always passes the request on. */
  filter(): HttpFilter {
    return (req) => {
      const socket = req.socket;
      if (!this.open.has(socket)) {
        this.open.add(socket);
        socket.once('close', () => {
          this.open.delete(socket);
          this.closed.received += socket.bytesRead;
          this.closed.sent += socket.bytesWritten;
        });
      }
      return true;
    };
  }

  totals(): ByteTotals {
    const totals = { ...this.closed };
    for (const socket of this.open) {
      totals.received += socket.bytesRead;
      totals.sent += socket.bytesWritten;
    }
    return totals;
  }
}

/** stdin and stdout are pipes (net.Socket) when a client launched us; 0 when they are not. */
export const stdioByteMeter: ByteMeter = {
  totals: () => ({
    received: (process.stdin as Partial<Socket>).bytesRead ?? 0,
    sent: (process.stdout as Partial<Socket>).bytesWritten ?? 0,
  }),
};
