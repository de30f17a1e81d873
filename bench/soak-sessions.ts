// Soak: SOAK_SESSIONS (default 1,000) HTTP sessions on one proxy, half ended with DELETE and
// half abandoned (the client goes away without DELETE, as the SDK client's close() and the
// Inspector do), with a short server.sessionIdleMs. Each session has its own stdio upstream (a
// child process) and its own connection to a remote Streamable HTTP upstream, and uses a shared
// one. Prints the proxy's RSS, open sockets, TCP connections to the remote upstream and child
// processes at 0, half, all, and after the idle timeout. Loopback only; asserts nothing.
// With SOAK_HEAP_DIR=<dir>, each report also has the proxy write a heap snapshot there (taken
// after a full GC) and prints its size: live heap, apart from what RSS keeps.
//   npm run build && node dist/bench/soak-sessions.js
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { startConformanceFixture } from '../test/conformance/suite.js';
import { childrenOf } from '../test/helpers/processes.js';
import { connectHttp, startHttpProxy, writeConfig } from '../test/helpers/proxy.js';
import { fixture } from '../test/helpers/upstreams.js';

const SESSIONS = Number(process.env.SOAK_SESSIONS ?? 1_000);
const PARALLEL = Number(process.env.SOAK_PARALLEL ?? 4);
const IDLE_MS = Number(process.env.SOAK_IDLE_MS ?? 3_000);
const HEAP_DIR = process.env.SOAK_HEAP_DIR;

const remote = await startConformanceFixture();
const remotePort = Number(new URL(remote.url).port);
const proxy = await startHttpProxy(
  writeConfig({
    server: { sessionIdleMs: IDLE_MS },
    upstreams: {
      local: { ...fixture('crashing-server'), namespace: 'local' },
      remote: { url: remote.url, namespace: 'remote' },
      shared: { url: remote.url, namespace: 'shared', shared: true },
    },
  }),
  [],
  {
    MCPROXY_LOG_LEVEL: 'info',
    ...(HEAP_DIR && { NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${path.resolve(HEAP_DIR)}` }),
  },
);
const pid = proxy.child.pid!;

function rssMb(): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return kb / 1024;
}

function sockets(): number {
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:');
    } catch {
      return false;
    }
  }).length;
}

/** Established TCP connections from the proxy to the remote upstream (its port as the remote end). */
function upstreamConnections(): number {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        return match ? [match[1]] : [];
      } catch {
        return [];
      }
    }),
  );
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length > 9 && parseInt(f[2].split(':')[1], 16) === remotePort && f[3] === '01' && inodes.has(f[9])).length;
}

/** Has the proxy write a heap snapshot; its size in MB once written. */
async function heapSnapshotMb(): Promise<string> {
  if (!HEAP_DIR) return '';
  const before = new Set(readdirSync(HEAP_DIR));
  process.kill(pid, 'SIGUSR2');
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const file = readdirSync(HEAP_DIR).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
    if (!file) continue;
    const size = statSync(path.join(HEAP_DIR, file)).size;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    if (size > 0 && statSync(path.join(HEAP_DIR, file)).size === size) return `   heap snapshot ${(size / 1024 / 1024).toFixed(1)} MB`;
  }
}

async function report(label: string): Promise<void> {
  const heap = await heapSnapshotMb();
  console.log(
    `${label.padEnd(34)} RSS ${rssMb().toFixed(0).padStart(4)} MB   sockets ${String(sockets()).padStart(4)}   ` +
      `to remote upstream ${String(upstreamConnections()).padStart(4)}   children ${String(childrenOf(pid).length).padStart(3)}${heap}`,
  );
}

async function oneSession(n: number): Promise<void> {
  const { client, transport } = await connectHttp(proxy.url);
  await client.callTool({ name: 'local__echo', arguments: { text: `session ${n}` } });
  await client.callTool({ name: 'remote__test_simple_text', arguments: {} });
  await client.callTool({ name: 'shared__test_simple_text', arguments: {} });
  if (n % 2 === 0) await transport.terminateSession();
  await client.close();
}

async function sessions(from: number, to: number): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < to) await oneSession(next++);
    }),
  );
}

try {
  const started = Date.now();
  console.log(`${SESSIONS} sessions, ${PARALLEL} at a time, half DELETEd, half abandoned; sessionIdleMs ${IDLE_MS}`);
  await report('0 sessions');
  await sessions(0, SESSIONS / 2);
  await report(`${SESSIONS / 2} sessions`);
  await sessions(SESSIONS / 2, SESSIONS);
  await report(`${SESSIONS} sessions`);
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS + 2_000));
  await report(`after the idle timeout (+2 s)`);
  const endings = (reason: string) => proxy.stderr().split(`session ended: ${reason}`).length - 1;
  console.log(
    `took ${((Date.now() - started) / 1000).toFixed(0)} s; sessions ended by DELETE ${endings('DELETE')}, by idle expiry ${endings('idle')}, ` +
      `transport closed ${endings('transport closed')}`,
  );
} finally {
  await proxy.stop();
  await remote.stop();
}
