// The fuzz runs: generated bad input against the real proxy process, over stdio and over HTTP,
// and calls that make a hostile upstream misbehave. The proxy must answer each input or drop it
// with a log line, keep running, and keep serving a control session throughout. Prints figures;
// `npm run fuzz` runs 10,000 inputs, test/e2e/fuzz.test.ts a few hundred.
import { Client } from '@modelcontextprotocol/client';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { INITIALIZE, POST_HEADERS } from '../helpers/jsonrpc.js';
import { CLI, ROOT } from '../helpers/paths.js';
import { connectHttp, startHttpProxy, writeConfig, type HttpProxy } from '../helpers/proxy.js';
import { changing, fixture } from '../helpers/upstreams.js';
import { badInput, random, type Rng } from './inputs.js';

export interface Figures {
  target: string;
  inputs: number;
  /** Inputs that got an answer: a JSON-RPC response, an HTTP status, a tool result or error. */
  answered: number;
  /** Inputs left unanswered: notifications, responses to nothing, non-JSON-RPC values, cut-off requests (logged, rate-limited). */
  dropped: number;
  /** What must never happen: a 500, a lost answer, a hang, the proxy gone. */
  failures: string[];
  ms: number;
  detail: Record<string, number>;
}

export interface FuzzResult {
  figures: Figures[];
  /** Warning lines the proxy logged (it logs what it drops, rate-limited). */
  warnLines: number;
}

const INIT = { ...INITIALIZE, id: 'init' };
const count = (detail: Record<string, number>, key: string) => (detail[key] = (detail[key] ?? 0) + 1);

/** Splits `total` inputs over the three targets: 40 % stdio, 40 % HTTP, 20 % hostile upstream. */
export async function runFuzz(total: number, seed = 1): Promise<FuzzResult> {
  const rng = random(seed);
  const stdioCount = Math.round(total * 0.4);
  const httpCount = Math.round(total * 0.4);
  const hostileCount = total - stdioCount - httpCount;
  const figures = [await fuzzStdio(stdioCount, rng)];
  const config = writeConfig({ upstreams: { chg: changing, hostile: { ...fixture('hostile-server'), timeoutMs: 1500 } } });
  const proxy = await startHttpProxy(config);
  try {
    figures.push(await fuzzHttp(proxy, httpCount, rng));
    figures.push(await fuzzHostileUpstream(proxy, hostileCount, rng));
    if (proxy.child.exitCode !== null) figures.at(-1)!.failures.push(`the HTTP proxy exited with ${proxy.child.exitCode}`);
    return { figures, warnLines: (proxy.stderr().match(/ warn /g) ?? []).length };
  } finally {
    await proxy.stop();
  }
}

/** One stdio proxy; bad lines in order, with a ping every 50 lines that must be answered. */
async function fuzzStdio(inputs: number, rng: Rng): Promise<Figures> {
  const started = Date.now();
  const figures: Figures = { target: 'stdio', inputs, answered: 0, dropped: 0, failures: [], ms: 0, detail: {} };
  const child = spawn(process.execPath, [CLI, '--config', writeConfig({ upstreams: { chg: changing } })], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, MCPROXY_LOG_LEVEL: 'warn' },
  });
  child.stderr.resume();
  let responses = 0;
  const waiting = new Map<string, () => void>();
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      responses++;
      const id = /"id":"(ctl-\d+|init)"/.exec(line)?.[1];
      if (id) waiting.get(id)?.();
    }
  });
  const write = (bytes: Buffer | string) => new Promise<void>((resolve) => child.stdin.write(bytes, () => resolve()));
  const answered = (id: string) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 30_000);
      waiting.set(id, () => {
        clearTimeout(timer);
        resolve(true);
      });
    });

  const init = answered('init');
  await write(JSON.stringify(INIT) + '\n');
  if (!(await init)) figures.failures.push('no answer to initialize');
  await write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
  let expectAnswers = 0;
  let eitherWay = 0;
  for (let n = 0; n < inputs; n++) {
    const input = badInput(rng, n);
    count(figures.detail, input.kind);
    if (input.answer === 'yes') expectAnswers++;
    if (input.answer === 'either') eitherWay++;
    await write(Buffer.concat([input.bytes, Buffer.from('\n')]));
    if (n % 50 === 49 || n === inputs - 1) {
      const control = `ctl-${n}`;
      const pong = answered(control);
      await write(JSON.stringify({ jsonrpc: '2.0', id: control, method: 'ping' }) + '\n');
      if (!(await pong)) figures.failures.push(`no answer to the control ping after input ${n}`);
    }
  }
  const controls = Math.ceil(inputs / 50);
  figures.answered = responses - 1 - controls; // less initialize and the control pings
  figures.dropped = inputs - figures.answered;
  figures.detail['answer due'] = expectAnswers;
  figures.detail['answer optional'] = eitherWay;
  if (figures.answered < expectAnswers) figures.failures.push(`${expectAnswers - figures.answered} requests got no answer`);
  if (child.exitCode !== null) figures.failures.push(`the stdio proxy exited with ${child.exitCode}`);
  child.kill();
  figures.ms = Date.now() - started;
  return figures;
}

/** Bad bodies, abused headers and cut-off requests; a control session must keep working. */
async function fuzzHttp(proxy: HttpProxy, inputs: number, rng: Rng): Promise<Figures> {
  const started = Date.now();
  const figures: Figures = { target: 'HTTP', inputs, answered: 0, dropped: 0, failures: [], ms: 0, detail: {} };
  const control = await connectHttp(proxy.url);
  const init = await fetch(proxy.url, { method: 'POST', headers: POST_HEADERS, body: JSON.stringify(INIT) });
  await init.text();
  const session = { 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-06-18' };
  const url = new URL(proxy.url);

  const one = async (n: number) => {
    const input = badInput(rng, n);
    const how = rng() < 0.1 ? 'truncated' : rng() < 0.15 ? 'header-abuse' : rng() < 0.5 ? 'in-session' : 'no-session';
    count(figures.detail, how);
    if (how === 'truncated') {
      // Announces more body than it sends, then hangs up.
      await new Promise<void>((resolve) => {
        const socket = connect(Number(url.port), url.hostname, () => {
          socket.write(`POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${input.bytes.length + 100}\r\n\r\n`);
          socket.write(input.bytes.subarray(0, Math.floor(input.bytes.length / 2)));
          setTimeout(() => socket.destroy(), 5);
        });
        socket.on('close', () => resolve());
        socket.on('error', () => resolve());
      });
      figures.dropped++;
      return;
    }
    let headers: Record<string, string> = { ...POST_HEADERS, ...(how === 'in-session' ? session : {}) };
    let method = 'POST';
    if (how === 'header-abuse') {
      const abuse = Math.floor(rng() * 8);
      if (abuse === 0) headers['content-type'] = 'text/plain';
      if (abuse === 1) headers.accept = 'text/html';
      if (abuse === 2) headers['mcp-session-id'] = 'not-a-session-' + n;
      if (abuse === 3) headers = { ...headers, ...session, 'mcp-protocol-version': 'yesterday' };
      if (abuse === 4) headers['x-filler'] = 'y'.repeat(64 * 1024);
      if (abuse === 5) headers.origin = 'https://evil.example';
      if (abuse === 6) method = pickOne(rng, ['PUT', 'PATCH', 'GET', 'DELETE']);
      if (abuse === 7) headers = { ...headers, ...session, 'mcp-session-id': session['mcp-session-id'] + ',' + session['mcp-session-id'] };
    }
    try {
      const response = await fetch(proxy.url, { method, headers, body: method === 'GET' || method === 'DELETE' ? undefined : new Uint8Array(input.bytes), signal: AbortSignal.timeout(30_000) });
      await response.arrayBuffer();
      count(figures.detail, `HTTP ${response.status}`);
      figures.answered++;
      if (response.status >= 500 && response.status !== 503) figures.failures.push(`${input.kind} (${how}): HTTP ${response.status}`);
    } catch (error) {
      figures.failures.push(`${input.kind} (${how}): ${(error as Error).message}`);
    }
  };

  const CONCURRENCY = 8;
  for (let n = 0; n < inputs; n += CONCURRENCY) {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, inputs - n) }, (_, i) => one(n + i)));
    if (n % 400 === 0) await control.client.ping().catch((error: Error) => figures.failures.push(`control session: ${error.message}`));
  }
  await control.client.listTools().catch((error: Error) => figures.failures.push(`control session at the end: ${error.message}`));
  await control.transport.terminateSession().catch(() => {});
  await control.client.close();
  figures.ms = Date.now() - started;
  return figures;
}

const MODES = ['garbage', 'twice', 'unknown-id', 'silent', 'bad-result', 'broken-utf8', 'notify-flood', 'stderr-flood'];

/** Calls that make the hostile upstream misbehave, from several sessions; each must settle. */
async function fuzzHostileUpstream(proxy: HttpProxy, inputs: number, rng: Rng): Promise<Figures> {
  const started = Date.now();
  const figures: Figures = { target: 'hostile upstream', inputs, answered: 0, dropped: 0, failures: [], ms: 0, detail: {} };
  const clients = await Promise.all(Array.from({ length: 4 }, () => connectHttp(proxy.url)));
  const control = await connectHttp(proxy.url);
  const call = async (client: Client, n: number) => {
    // Rarely: an 11 MiB answer or an exit, each of which costs the session a reconnect.
    const mode = rng() < 0.01 ? pickOne(rng, ['huge', 'exit']) : pickOne(rng, MODES);
    try {
      await client.callTool({ name: 'hostile__misbehave', arguments: { mode } }, { timeout: 30_000 });
      count(figures.detail, `${mode}: result`);
    } catch (error) {
      count(figures.detail, `${mode}: error`);
      if (/Request timed out/.test((error as Error).message) && !/did not answer/.test((error as Error).message)) {
        figures.failures.push(`call ${n} (${mode}) was never answered`);
      }
    }
    figures.answered++;
  };
  const CONCURRENCY = 16;
  for (let n = 0; n < inputs; n += CONCURRENCY) {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, inputs - n) }, (_, i) => call(clients[(n + i) % clients.length].client, n + i)));
    const echo = await control.client
      .callTool({ name: 'hostile__echo', arguments: { text: 'still here' } })
      .then((result) => JSON.stringify(result.content))
      .catch((error: Error) => error.message);
    if (!echo.includes('still here')) figures.failures.push(`control session: ${echo}`);
  }
  for (const { client, transport } of [...clients, control]) {
    await transport.terminateSession().catch(() => {});
    await client.close();
  }
  figures.ms = Date.now() - started;
  return figures;
}

function pickOne<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

export function formatFigures(result: FuzzResult): string {
  const rows = result.figures.map((f) =>
    `| ${f.target} | ${f.inputs} | ${f.answered} | ${f.dropped} | ${f.failures.length} | ${(f.ms / 1000).toFixed(1)} s | ${Math.round((f.inputs / f.ms) * 1000)}/s |`,
  );
  const details = result.figures.map((f) => `${f.target}: ${Object.entries(f.detail).sort().map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const failures = result.figures.flatMap((f) => f.failures.slice(0, 20).map((failure) => `FAILURE ${f.target}: ${failure}`));
  return [
    '| target | inputs | answered | dropped (no answer due) | failures | time | rate |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    ...details,
    `proxy warnings logged (HTTP proxy, rate-limited): ${result.warnLines}`,
    ...failures,
  ].join('\n');
}
