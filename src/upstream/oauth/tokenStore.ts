// What mcproxy keeps of a login to one upstream (or one person's login, on a team gateway): the
// registered client, the tokens, the discovered metadata. One file per login in the data
// folder's oauth/ folder, readable by the user alone; encrypted with AES-256-GCM when
// `security.tokenKey` is set. Writes go to a temporary file renamed into place, so a proxy
// reading while another writes sees the old file or the new one, never half of one.
import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TokenStoreLocation } from '../../config/schema.js';

/** Everything one login needs; fields are the OAuth wire names, kept as the servers sent them. */
export interface StoredLogin {
  /** The upstream URL this login is for: a file moved to another server's name is ignored. */
  resource: string;
  client?: Record<string, unknown>;
  tokens?: StoredTokens;
  /** Protected resource and authorization server metadata, as discovered. */
  discovery?: Record<string, unknown>;
  /** Who logged in, where the server said (id token `sub`/`email`, or the token's `sub`). */
  account?: string;
  /** Why the last attempt to use or renew this login failed, shown by `mcproxy auth status`. */
  problem?: string;
  /** The scope the server last asked for (a 401's challenge, a 403 insufficient_scope): the next login asks for it. */
  stepUpScope?: string;
}

export interface StoredTokens {
  access_token: string;
  token_type?: string;
  refresh_token?: string;
  scope?: string;
  /** Epoch ms: computed from `expires_in` when the tokens arrived. */
  expires_at?: number;
  [field: string]: unknown;
}

const ENCRYPTED = 'mcproxy-aes-256-gcm-v1';
const LOCK_STALE_MS = 30_000;

function statOrUndefined(file: string) {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

export class TokenStore {
  readonly file: string;
  /** The upstream URL: what a login not stored yet starts from. */
  private readonly resource: string;
  private readonly key?: Buffer;

  /**
   * @param upstream the upstream's name; `url` keeps two configs' same-named upstreams apart
   * @param subject a person's identity on a team gateway (perUser); undefined for the shared login
   */
  constructor(location: TokenStoreLocation, upstream: string, url: string, subject?: string) {
    this.resource = url;
    const base = `${safeName(upstream)}-${digest(url).slice(0, 12)}`;
    this.file = subject === undefined ? path.join(location.dir, `${base}.json`) : path.join(location.dir, base, `${digest(subject).slice(0, 32)}.json`);
    if (location.key) this.key = scryptSync(location.key, 'mcproxy token store', 32);
  }

  read(): StoredLogin | undefined {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return undefined;
    }
    const data = JSON.parse(text) as Record<string, unknown>;
    if (data.format === ENCRYPTED) {
      if (!this.key) throw new Error(`${this.file} is encrypted: set security.tokenKey to the key it was written with`);
      return JSON.parse(this.decrypt(data)) as StoredLogin;
    }
    if (this.key) throw new Error(`${this.file} is not encrypted but security.tokenKey is set: log in again (mcproxy auth logout, then login)`);
    return data as unknown as StoredLogin;
  }

  /** Reads, changes and writes back in one step; a login not stored yet is `{ resource }`. */
  update(change: (login: StoredLogin) => StoredLogin): StoredLogin {
    const next = change(this.readOrNothing() ?? { resource: this.resource });
    this.write(next);
    return next;
  }

  /** Sets these fields of the stored login, keeping the others. */
  patch(fields: Partial<StoredLogin>): StoredLogin {
    return this.update((login) => ({ ...login, ...fields }));
  }

  write(login: StoredLogin): void {
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const text = this.key ? JSON.stringify(this.encrypt(JSON.stringify(login))) : JSON.stringify(login, null, 2);
    const temporary = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temporary, text, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.file);
  }

  remove(): boolean {
    const existed = this.readOrNothing() !== undefined;
    rmSync(this.file, { force: true });
    return existed;
  }

  /**
   * Runs `work` (a renewal, a login's writes, a logout) while holding this login's lock (a folder
   * beside the file): of several proxies on one data folder, one refreshes and the others then
   * read its tokens, so that a rotated refresh token is never used twice, and no read-change-write
   * puts back tokens another has just replaced. A lock older than LOCK_STALE_MS is a crashed holder's.
   */
  async locked<T>(work: () => Promise<T>): Promise<T> {
    const lock = `${this.file}.lock`;
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const started = Date.now();
    for (;;) {
      try {
        mkdirSync(lock);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const age = Date.now() - (statOrUndefined(lock)?.mtimeMs ?? Date.now());
        if (age > LOCK_STALE_MS || Date.now() - started > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
        else await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    try {
      return await work();
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }

  /** Changes whenever the file is written (for a proxy waiting on a login made elsewhere). */
  version(): number {
    try {
      const stat = statSync(this.file);
      return stat.mtimeMs + stat.ino;
    } catch {
      return 0;
    }
  }

  /** An unreadable file (wrong key, damaged) reads as no login: logging in again rewrites it. */
  private readOrNothing(): StoredLogin | undefined {
    try {
      return this.read();
    } catch {
      return undefined;
    }
  }

  private encrypt(plain: string): Record<string, string> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key!, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return { format: ENCRYPTED, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
  }

  private decrypt(box: Record<string, unknown>): string {
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key!, Buffer.from(String(box.iv), 'base64'));
      decipher.setAuthTag(Buffer.from(String(box.tag), 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(String(box.data), 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(`${this.file} cannot be decrypted with security.tokenKey (another key wrote it): log in again`);
    }
  }
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}
