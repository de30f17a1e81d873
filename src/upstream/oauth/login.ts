// A browser login to one upstream: a loopback server receives the authorization response
// (RFC 8252), whose `state` must be the one sent and whose `iss` must name the authorization
// server the flow started with (RFC 9207). Everything fails with a message naming the
// upstream; nothing waits forever.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { challengeOf, startLogin, type Challenge, type OAuthTarget } from './sdkAuth.js';

export interface LoginOptions {
  /** Opens the authorization URL (browser.ts in the CLI; a URL elicitation in a running proxy). */
  open(url: string): void | Promise<void>;
  /** How long to wait for the person to finish in the browser. */
  timeoutMs: number;
}

/** Runs the whole login; resolves once the tokens are stored. */
export async function login(target: OAuthTarget, options: LoginOptions): Promise<void> {
  const pending = await beginLogin(target);
  try {
    await options.open(pending.url);
    await pending.completion(options.timeoutMs);
  } finally {
    pending.cancel();
  }
}

export interface PendingLogin {
  /** The authorization URL to open. */
  url: string;
  /** Resolves when the redirect came back and the tokens are stored; rejects on a bad redirect or after `timeoutMs`. */
  completion(timeoutMs: number): Promise<void>;
  /** Stops listening for the redirect. */
  cancel(): void;
}

/** Starts a login: discovery, registration, the loopback listener, the authorization URL. */
export async function beginLogin(target: OAuthTarget): Promise<PendingLogin> {
  const challenge = await probe(target);
  const { server, port } = await listen(target);
  const redirectUrl = `http://127.0.0.1:${port}/callback`;
  const state = randomBytes(24).toString('base64url');
  let started;
  try {
    const scope = target.store.read()?.stepUpScope;
    started = await startLogin(target, { redirectUrl, state }, { challenge, scope });
  } catch (error) {
    server.close();
    throw error;
  }
  const login = started;
  let settle: { resolve(): void; reject(error: Error): void } | undefined;
  const result = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  result.catch(() => {}); // observed by completion()
  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', redirectUrl);
    if (url.pathname !== '/callback') return void res.writeHead(404).end();
    const page = (status: number, text: string) => res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
    const refusal = checkRedirect(target.upstream, url.searchParams, state, login.issuer, login.issRequired);
    if (refusal) {
      page(400, refusal);
      return settle?.reject(new Error(refusal));
    }
    login.finish(url.searchParams.get('code')!, url.searchParams.get('iss') ?? undefined).then(
      () => {
        page(200, `mcproxy: logged in to '${target.upstream}'. You can close this window.`);
        settle?.resolve();
      },
      (error: Error) => {
        page(502, `mcproxy: the login to '${target.upstream}' failed: ${error.message}`);
        settle?.reject(new Error(`upstream '${target.upstream}': the token request failed: ${error.message}`));
      },
    );
  });
  return {
    url: login.authorizationUrl.href,
    completion(timeoutMs: number) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`upstream '${target.upstream}': no login completed within ${Math.round(timeoutMs / 1000)} s; run the command again`)), timeoutMs);
      });
      return Promise.race([result, timeout]).finally(() => clearTimeout(timer));
    },
    cancel: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** Why an authorization response must not be used, or undefined when it may. */
export function checkRedirect(upstream: string, params: URLSearchParams, state: string, issuer: string | undefined, issRequired: boolean): string | undefined {
  const error = params.get('error');
  if (params.get('state') !== state) return `upstream '${upstream}': the login's redirect carries the wrong state: refused (start the login again)`;
  if (error) return `upstream '${upstream}': the authorization server refused the login: ${error}${params.get('error_description') ? `: ${params.get('error_description')}` : ''}`;
  const iss = params.get('iss');
  if (iss === null && issRequired) return `upstream '${upstream}': the authorization server promised an iss parameter (RFC 9207) but the redirect has none: refused`;
  if (iss !== null && issuer !== undefined && iss !== issuer) return `upstream '${upstream}': the redirect's iss ${iss} is not the authorization server ${issuer}: refused (RFC 9207)`;
  if (!params.get('code')) return `upstream '${upstream}': the login's redirect carries no code`;
  return undefined;
}

/**
 * Asks the upstream what it wants: an unauthenticated initialize, whose 401 names the protected
 * resource metadata and scope (the spec's first source); nothing when it says nothing.
 */
export async function probe(target: OAuthTarget): Promise<Challenge | undefined> {
  try {
    const response = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'mcproxy', version: '0' } } }),
      signal: AbortSignal.timeout(15_000),
    });
    await response.body?.cancel();
    return response.status === 401 || response.status === 403 ? challengeOf(response) : undefined;
  } catch (error) {
    throw new Error(`upstream '${target.upstream}': cannot reach ${target.url}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`);
  }
}

/**
 * The loopback listener: on `oauth.redirectPort`, or (port 0) on the port of the redirect URL the
 * client was registered with, else any free one.
 */
async function listen(target: OAuthTarget): Promise<{ server: Server; port: number }> {
  const configured = target.oauth.redirectPort;
  const registered = configured === 0 ? registeredPort(target) : undefined;
  for (const port of registered !== undefined ? [registered, 0] : [configured]) {
    const server = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
      return { server, port: (server.address() as AddressInfo).port };
    } catch (error) {
      if (port === registered) continue;
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(
        code === 'EADDRINUSE'
          ? `upstream '${target.upstream}': the login's redirect port ${port} (oauth.redirectPort) is in use: free it or choose another`
          : `upstream '${target.upstream}': cannot listen on 127.0.0.1:${port} for the login's redirect: ${(error as Error).message}`,
      );
    }
  }
  throw new Error('unreachable');
}

function registeredPort(target: OAuthTarget): number | undefined {
  const uris = target.store.read()?.client?.redirect_uris;
  if (!Array.isArray(uris) || typeof uris[0] !== 'string') return undefined;
  try {
    const url = new URL(uris[0]);
    return url.hostname === '127.0.0.1' && url.port ? Number(url.port) : undefined;
  } catch {
    return undefined;
  }
}
