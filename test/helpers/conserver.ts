// A conserver test double on 127.0.0.1 that follows the ingest contract in
// ../shared/vcon/NOTES.md: POST {base}/vcon stores by uuid (re-posting overwrites) and answers
// 201 with the stored vCon; 403 on a wrong or missing token; 422 on a vCon the conserver's
// model refuses (the ../shared/vcon/conserver-rejects cases); 500 when the store fails;
// GET {base}/health needs no token. Queue names come from `ingress_lists` query parameters.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  uuid: string;
  vcon: Record<string, unknown>;
  ingressLists: string[];
  token?: string;
}

export interface ConserverDouble {
  /** POST URL, e.g. http://127.0.0.1:PORT/api/vcon */
  url: string;
  port: number;
  received: ReceivedPost[];
  stored: Map<string, Record<string, unknown>>;
  /** The next `n` posts fail with 500 (a store failure). */
  failNext(n: number): void;
  close(): Promise<void>;
}

const TOKEN_HEADER = 'x-conserver-api-token';

export async function startConserver(options: { token?: string; port?: number } = {}): Promise<ConserverDouble> {
  const received: ReceivedPost[] = [];
  const stored = new Map<string, Record<string, unknown>>();
  let failures = 0;

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'GET' && url.pathname === '/api/health') return send(200, { status: 'healthy' });
    if (req.method !== 'POST' || url.pathname !== '/api/vcon') return send(404, { detail: 'Not Found' });
    const token = req.headers[TOKEN_HEADER] as string | undefined;
    if (options.token !== undefined && token !== options.token) return send(403, { detail: 'Invalid API Key' });
    let vcon: unknown;
    try {
      vcon = JSON.parse(await readBody(req));
    } catch {
      return send(422, { detail: 'body is not JSON' });
    }
    const problems = modelProblems(vcon);
    if (problems.length > 0) return send(422, { detail: problems });
    if (failures > 0) {
      failures--;
      return send(500, { detail: 'Failed to store vCon' });
    }
    const record = vcon as Record<string, unknown>;
    stored.set(record.uuid as string, record);
    received.push({ uuid: record.uuid as string, vcon: record, ingressLists: url.searchParams.getAll('ingress_lists'), token });
    send(201, record);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/api/vcon`,
    port,
    received,
    stored,
    failNext: (n) => (failures = n),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MEDIATYPE = /^[\w.+-]+\/[\w.+-]+$/;
const TEL = /^\+?[0-9][0-9 ().-]*$/;

/** What the conserver's vCon model refuses (NOTES.md): required fields, types, party references. */
function modelProblems(input: unknown): string[] {
  const problems: string[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return ['not an object'];
  const vcon = input as Record<string, unknown>;
  if (typeof vcon.vcon !== 'string' || vcon.vcon === '') problems.push('vcon required');
  if (typeof vcon.uuid !== 'string' || !UUID.test(vcon.uuid)) problems.push('uuid required');
  if (typeof vcon.created_at !== 'string' || Number.isNaN(Date.parse(vcon.created_at))) problems.push('created_at required, a date');
  if (!Array.isArray(vcon.parties)) return [...problems, 'parties must be a list'];
  for (const party of vcon.parties) {
    if (typeof party !== 'object' || party === null) problems.push('party must be an object');
    else if ('tel' in party && !(typeof party.tel === 'string' && TEL.test(party.tel))) problems.push('party tel must be a phone number');
  }
  for (const key of ['dialog', 'analysis', 'attachments']) {
    if (key in vcon && !Array.isArray(vcon[key])) problems.push(`${key} must be a list`);
  }
  const dialogs = Array.isArray(vcon.dialog) ? vcon.dialog : [];
  for (const dialog of dialogs as Record<string, unknown>[]) {
    const parties = dialog.parties;
    if (!Array.isArray(parties) || !parties.every((p) => Number.isInteger(p) && p >= 0 && p < (vcon.parties as unknown[]).length)) {
      problems.push('dialog parties must be a flat list of party indices within range');
    }
    if (dialog.originator !== undefined && !(Number.isInteger(dialog.originator) && (dialog.originator as number) < (vcon.parties as unknown[]).length)) {
      problems.push('dialog originator out of range');
    }
    if (dialog.duration !== undefined && !(typeof dialog.duration === 'number' && dialog.duration >= 0)) problems.push('dialog duration must be a non-negative number');
    for (const key of ['mimetype', 'mediatype']) {
      if (dialog[key] !== undefined && dialog[key] !== null && !(typeof dialog[key] === 'string' && MEDIATYPE.test(dialog[key] as string))) problems.push(`dialog ${key} invalid`);
    }
    if (dialog.url !== undefined && !isUrl(dialog.url)) problems.push('dialog url invalid');
  }
  return problems;
}

function isUrl(value: unknown): boolean {
  try {
    new URL(String(value));
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(String(value));
  } catch {
    return false;
  }
}
