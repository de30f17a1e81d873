// Generated bad input for the fuzz runs: each is one message's bytes (no newline) and the kind
// of wrong it is. Seeded, so a run can be repeated exactly.

export interface BadInput {
  kind: string;
  bytes: Buffer;
  /** Whether the proxy owes an answer: requests yes, notifications and responses no, non-JSON-RPC values either way. */
  answer: 'yes' | 'no' | 'either';
}

const NO_ANSWER_DUE = new Set(['response-to-nothing', 'notification-junk']);
/** A bare value (42, "text", null) or random bytes that may happen to be one: no request, so no answer due. */
const EITHER = new Set(['invalid-jsonrpc', 'random-bytes']);

/** mulberry32: a small seeded PRNG. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
const int = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const noNewlines = (bytes: Buffer) => Buffer.from(bytes.map((b) => (b === 0x0a || b === 0x0d ? 0x20 : b)));

const METHODS = ['ping', 'tools/list', 'tools/call', 'prompts/get', 'resources/read', 'logging/setLevel', 'completion/complete', 'tasks/get', 'resources/subscribe'];

function validish(rng: Rng, id: unknown): Record<string, unknown> {
  return { jsonrpc: '2.0', id, method: pick(rng, METHODS), params: { name: 'chg__nope', arguments: {} } };
}

const GENERATORS: Record<string, (rng: Rng, n: number) => Buffer> = {
  'malformed-json': (rng, n) => {
    const text = JSON.stringify(validish(rng, n));
    return Buffer.from(text.slice(0, int(rng, 1, text.length - 2)) + pick(rng, ['', ',', '}}', '"', ']']));
  },
  'invalid-jsonrpc': (rng, n) =>
    json(
      pick(rng, [
        { jsonrpc: '1.0', id: n, method: 'ping' },
        { id: n, method: 'ping' },
        { jsonrpc: '2.0', id: n, method: 42 },
        { jsonrpc: '2.0', id: n },
        { jsonrpc: '2.0', id: n, result: {}, error: { code: 1, message: 'both' } },
        { jsonrpc: '2.0', id: n, error: { code: 'x' } },
        'just a string',
        42,
        null,
      ]),
    ),
  'wrong-id-type': (rng) => json({ jsonrpc: '2.0', id: pick(rng, [{ a: 1 }, [1], true, 1.5, -0, 1e308, null, '']), method: 'ping' }),
  'huge-string': (rng, n) => {
    const over = rng() < 0.03; // a few past the default 4 MiB limit
    const size = over ? 5 * 1024 * 1024 : int(rng, 16 * 1024, 512 * 1024);
    return json({ jsonrpc: '2.0', id: n, method: 'tools/call', params: { name: 'x'.repeat(size), arguments: {} } });
  },
  'deep-nesting': (rng, n) => {
    const depth = int(rng, 65, 20_000);
    const open = pick(rng, ['[', '{"a":']);
    const close = open === '[' ? ']' : '}';
    return Buffer.from(`{"jsonrpc":"2.0","id":${n},"method":"ping","params":{"x":${open.repeat(depth)}1${close.repeat(depth)}}}`);
  },
  'wrong-param-types': (rng, n) =>
    json({
      jsonrpc: '2.0',
      id: n,
      ...pick(rng, [
        { method: 'tools/call', params: { name: 123, arguments: 'x' } },
        { method: 'tools/call', params: 'not an object' },
        { method: 'tools/list', params: { cursor: 17 } },
        { method: 'tools/list', params: { cursor: 'not-a-cursor' } },
        { method: 'resources/read', params: { uri: {} } },
        { method: 'prompts/get', params: { name: ['a'] } },
        { method: 'logging/setLevel', params: { level: 'loud' } },
        { method: 'completion/complete', params: { ref: 'x', argument: 5 } },
        { method: 'tasks/get', params: { taskId: 42 } },
        { method: 'resources/subscribe', params: null },
      ]),
    }),
  'unknown-method': (rng, n) => json({ jsonrpc: '2.0', id: n, method: pick(rng, ['nope', 'tools/destroy', '', 'rpc.discover', '__proto__', 'a'.repeat(1000)]) }),
  batch: (rng, n) => json(Array.from({ length: int(rng, 0, 3) }, (_, i) => validish(rng, n * 10 + i))),
  'response-to-nothing': (rng, n) => json(pick(rng, [{ jsonrpc: '2.0', id: n + 1e6, result: {} }, { jsonrpc: '2.0', id: `x${n}`, error: { code: -1, message: 'no' } }])),
  'notification-junk': (rng, n) =>
    json({
      jsonrpc: '2.0',
      ...pick(rng, [
        { method: 'notifications/cancelled', params: { requestId: n + 1e6 } },
        { method: 'notifications/progress', params: { progressToken: n, progress: 'half' } },
        { method: 'notifications/roots/list_changed', params: 5 },
        { method: 'notifications/made_up' },
      ]),
    }),
  'random-bytes': (rng) => noNewlines(Buffer.from(Array.from({ length: int(rng, 1, 2048) }, () => int(rng, 0, 255)))),
  'broken-utf8': (rng, n) => {
    const bytes = Buffer.from(`{"jsonrpc":"2.0","id":${n},"method":"tools/call","params":{"name":"chg__\u0000X","arguments":{}}}`);
    const at = bytes.indexOf('X');
    bytes[at] = pick(rng, [0xff, 0xc3, 0xe2, 0x80]);
    return bytes;
  },
  'truncated-line': (rng, n) => {
    const text = JSON.stringify({ jsonrpc: '2.0', id: n, method: 'tools/list' });
    return Buffer.from(text.slice(0, int(rng, 1, text.length - 1)));
  },
};

export const INPUT_KINDS = Object.keys(GENERATORS);

export function badInput(rng: Rng, n: number): BadInput {
  const kind = pick(rng, INPUT_KINDS);
  return { kind, bytes: GENERATORS[kind](rng, n), answer: NO_ANSWER_DUE.has(kind) ? 'no' : EITHER.has(kind) ? 'either' : 'yes' };
}
