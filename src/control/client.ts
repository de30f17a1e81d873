// The command side of the control socket: sends one request to each proxy running a config
// and collects their answers.
import { connect } from 'node:net';
import type { ControlAnswer, ControlRequest } from './server.js';
import { runningProxies, type RunningEntry } from './runtime.js';

/** How long a proxy gets to answer (a reload waits for new upstreams to be started, not connected). */
const ANSWER_TIMEOUT_MS = 30_000;

export interface ControlResult {
  entry: RunningEntry;
  answer: ControlAnswer;
}

/** Sends `request` to every proxy running `config`; empty when none runs. */
export async function sendToRunning(config: string, request: ControlRequest): Promise<ControlResult[]> {
  const entries = runningProxies(config);
  return Promise.all(entries.map(async (entry) => ({ entry, answer: await send(entry.socket, request) })));
}

export function send(socket: string, request: ControlRequest): Promise<ControlAnswer> {
  return new Promise((resolve) => {
    const connection = connect(socket);
    let reply = '';
    const timer = setTimeout(() => {
      connection.destroy();
      resolve({ ok: false, message: `no answer within ${ANSWER_TIMEOUT_MS} ms` });
    }, ANSWER_TIMEOUT_MS);
    connection.setEncoding('utf8');
    connection.on('connect', () => connection.write(JSON.stringify(request) + '\n'));
    connection.on('data', (chunk: string) => (reply += chunk));
    connection.on('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, message: `cannot reach it: ${error.message}` });
    });
    connection.on('end', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(reply) as ControlAnswer);
      } catch {
        resolve({ ok: false, message: `unreadable answer: ${reply.slice(0, 200)}` });
      }
    });
  });
}
