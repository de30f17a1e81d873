// `mcproxy auth login|status|logout`: the person's side of OAuth to upstreams.
import { isStdioUpstream, type ProxyConfig, type RemoteUpstreamConfig, type UpstreamConfig } from '../config/schema.js';
import { needsPerson } from '../config/upstreamOAuthSchema.js';
import { openInBrowser } from '../upstream/oauth/browser.js';
import { login } from '../upstream/oauth/login.js';
import { oauthTarget } from '../upstream/oauth/upstreamAuth.js';
import type { Command } from './args.js';

const DEFAULT_LOGIN_TIMEOUT_S = 300;

export interface AuthOutcome {
  output: string;
  code: number;
}

type RemoteUpstream = RemoteUpstreamConfig & UpstreamConfig;

export async function runAuth(config: ProxyConfig, command: Extract<Command, { kind: 'auth' }>, say: (line: string) => void): Promise<AuthOutcome> {
  const remote = config.upstreams.filter((u): u is RemoteUpstream => !isStdioUpstream(u));
  if (command.action === 'status') return { output: status(remote), code: 0 };
  const upstream = remote.find((u) => u.name === command.upstream);
  if (!upstream) {
    const known = config.upstreams.find((u) => u.name === command.upstream);
    const why = known ? `'${command.upstream}' is a stdio upstream: OAuth is for remote (url:) upstreams` : `no upstream named '${command.upstream}' in ${config.file}`;
    return { output: `mcproxy: ${why}${remote.length ? ` (remote upstreams: ${remote.map((u) => u.name).join(', ')})` : ''}\n`, code: 2 };
  }
  const target = oauthTarget(upstream);
  if (!target) return { output: `mcproxy: upstream '${upstream.name}' sends a configured Authorization header: remove it from \`headers\` to use OAuth\n`, code: 2 };
  if (command.action === 'logout') {
    // Under the lock: a proxy renewing right now must not write the login back after it is gone.
    const had = await target.store.locked(async () => target.store.remove());
    return { output: had ? `Logged out of '${upstream.name}'.\n` : `No stored login for '${upstream.name}'.\n`, code: 0 };
  }
  if (upstream.credentials === 'perUser') {
    const how = upstream.tokenExchange ? 'by token exchange (tokenExchange)' : "in their own browser, at the gateway's connect page";
    return { output: `mcproxy: upstream '${upstream.name}' has credentials: perUser: each person gets their own token ${how}, not a login here\n`, code: 2 };
  }
  if (!needsPerson(target.oauth)) {
    return { output: `mcproxy: upstream '${upstream.name}' uses ${GRANT_NAMES[target.oauth.grant]} (oauth.grant): it needs no browser login\n`, code: 2 };
  }
  try {
    await login(target, { open: (url) => openInBrowser(url, say), timeoutMs: (command.timeoutSeconds ?? DEFAULT_LOGIN_TIMEOUT_S) * 1000 });
  } catch (error) {
    return { output: `mcproxy: ${(error as Error).message}\n`, code: 1 };
  }
  const stored = target.store.read();
  const who = stored?.account ? ` as ${stored.account}` : '';
  return { output: `Logged in to '${upstream.name}'${who}${stored?.tokens?.scope ? ` (scopes: ${stored.tokens.scope})` : ''}.\n`, code: 0 };
}

const GRANT_NAMES = { authorization_code: 'browser login', client_credentials: 'client credentials', jwt_bearer: 'enterprise-managed authorization' } as const;

function status(remote: RemoteUpstream[]): string {
  const rows: string[][] = [];
  for (const upstream of remote) {
    const target = oauthTarget(upstream);
    if (!target) continue;
    let stored;
    try {
      stored = target.store.read();
    } catch (error) {
      rows.push([upstream.name, 'unreadable', (error as Error).message]);
      continue;
    }
    if (!stored && !upstream.oauth) continue;
    const tokens = stored?.tokens;
    let state: string;
    if (upstream.credentials === 'perUser') state = 'per person';
    else if (upstream.oauth && !needsPerson(upstream.oauth)) state = `${GRANT_NAMES[upstream.oauth.grant]}${tokens ? '' : ' (no token yet)'}`;
    else if (!tokens) state = stored?.problem ? `needs login: ${stored.problem}` : 'needs login';
    else if (stored?.stepUpScope) state = `needs login for more scope: ${stored.stepUpScope}`;
    else state = 'logged in';
    const details = [
      stored?.account && `as ${stored.account}`,
      tokens?.scope && `scopes: ${tokens.scope}`,
      tokens?.expires_at !== undefined && expiry(tokens.expires_at, tokens.refresh_token !== undefined),
      upstream.credentials === 'perUser' && (upstream.tokenExchange ? 'perUser: each person by token exchange' : 'perUser: each person logs in on the connect page'),
    ].filter(Boolean);
    rows.push([upstream.name, state, details.join('; ')]);
  }
  if (rows.length === 0) return 'No remote upstream uses OAuth (none has a stored login or an oauth: section).\n';
  const width = Math.max(...rows.map((row) => row[0].length), 'UPSTREAM'.length);
  return [['UPSTREAM', 'STATE', ''], ...rows].map(([name, state, details]) => `${name.padEnd(width)}  ${state}${details ? `  (${details})` : ''}`.trimEnd()).join('\n') + '\n';
}

function expiry(at: number, refreshable: boolean): string {
  const minutes = Math.round((at - Date.now()) / 60_000);
  const when = new Date(at).toISOString();
  if (minutes <= 0) return `expired ${when}${refreshable ? ', renewed on next use' : ''}`;
  return `expires ${when} (in ${minutes} min)${refreshable ? ', renewable' : ''}`;
}
