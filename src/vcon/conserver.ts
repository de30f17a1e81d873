// The conserver's ingest API (../shared/vcon/NOTES.md): POST {base}/vcon with one
// `ingress_lists` query parameter per queue and the API token in a header; GET {base}/health.
// Uses an undici connection pool, so posts reuse connections; undici is imported at the first
// request, not while a recording proxy starts (it took ~90 ms of a launch).
import type { Pool } from 'undici';

export interface ConserverOptions {
  url: string;
  apiToken?: string;
  apiTokenHeader?: string;
  ingressList?: string | string[];
  timeoutMs?: number;
  retryAttempts?: number;
  retryDelayMs?: number;
}

/** What became of a post: delivered (2xx), rejected for good (4xx but 408/429), or worth retrying. */
export type PostOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'rejected'; status: number; reason: string }
  | { kind: 'retry'; status?: number; reason: string };

export class ConserverClient {
  private readonly url: URL;
  private opened?: Promise<Pool>;

  constructor(readonly options: ConserverOptions) {
    this.url = new URL(options.url);
  }

  private pool(): Promise<Pool> {
    return (this.opened ??= import('undici').then(({ Pool }) => new Pool(this.url.origin, { connections: 4 })));
  }

  /** The POST target with its ingress lists, e.g. /api/vcon?ingress_lists=mcp_sessions. */
  get postPath(): string {
    const target = new URL(this.url);
    const lists = this.options.ingressList === undefined ? [] : [this.options.ingressList].flat();
    for (const list of lists) target.searchParams.append('ingress_lists', list);
    return target.pathname + target.search;
  }

  /** One attempt, with the vCon as an object or as its JSON text. */
  async postOnce(vcon: object | string): Promise<PostOutcome> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.options.apiToken) headers[(this.options.apiTokenHeader ?? 'x-conserver-api-token').toLowerCase()] = this.options.apiToken;
    const timeout = this.options.timeoutMs ?? 30_000;
    try {
      const response = await (await this.pool()).request({
        method: 'POST',
        path: this.postPath,
        headers,
        body: typeof vcon === 'string' ? vcon : JSON.stringify(vcon),
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      const text = await response.body.text();
      const status = response.statusCode;
      if (status >= 200 && status < 300) return { kind: 'delivered', status };
      const reason = `HTTP ${status}: ${text.slice(0, 500)}`;
      if (status >= 400 && status < 500 && status !== 408 && status !== 429) return { kind: 'rejected', status, reason };
      return { kind: 'retry', status, reason };
    } catch (error) {
      return { kind: 'retry', reason: (error as Error).message };
    }
  }

  /** Posts with exponential backoff (retryDelayMs, doubled each time) over retryAttempts retries. */
  async post(vcon: object | string): Promise<PostOutcome> {
    const retries = this.options.retryAttempts ?? 3;
    const delay = this.options.retryDelayMs ?? 1_000;
    let outcome = await this.postOnce(vcon);
    for (let attempt = 0; outcome.kind === 'retry' && attempt < retries; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, delay * 2 ** attempt));
      outcome = await this.postOnce(vcon);
    }
    return outcome;
  }

  /** GET {base}/health beside the POST URL (…/api/vcon → …/api/health): true when it answers 2xx. */
  async healthCheck(): Promise<boolean> {
    try {
      const health = new URL('health', this.url);
      const response = await (await this.pool()).request({ method: 'GET', path: health.pathname, headersTimeout: this.options.timeoutMs ?? 30_000 });
      await response.body.dump();
      return response.statusCode >= 200 && response.statusCode < 300;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await (await this.opened)?.close();
  }
}
