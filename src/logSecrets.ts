// What must never reach a log line: the config's credentials (upstream env and header values,
// API keys, upstream OAuth client secrets, keys and ID tokens, the token and connect keys,
// exporter headers, the conserver token), and anything shaped like one (a bearer
// token, a password in a URL, a token in a query string), wherever it turns up: an upstream's
// stderr, an error message, a URL.
import type { ProxyConfig } from './config/schema.js';

export const REDACTED = '[REDACTED]';

/** Shorter values are too likely to be ordinary words or numbers to hide everywhere. */
const MIN_SECRET_LENGTH = 8;

const SHAPES: [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  [/(\/\/[^/\s:@]+:)[^/\s@]+@/g, `$1${REDACTED}@`],
  [/([?&](?:access_token|token|api[_-]?key|apikey|key|secret|password|auth|link)=)[^&\s"']+/gi, `$1${REDACTED}`],
];

/** The values in a config that are credentials, or may be. */
export function configSecrets(config: ProxyConfig): string[] {
  const values: string[] = [];
  for (const upstream of config.upstreams) {
    if ('env' in upstream) values.push(...Object.values(upstream.env ?? {}));
    if ('headers' in upstream) values.push(...Object.values(upstream.headers ?? {}));
    if ('url' in upstream) {
      const { clientSecret, privateKey, idp } = upstream.oauth ?? {};
      values.push(...[clientSecret, privateKey, idp?.clientSecret, idp?.idToken].filter((value) => value !== undefined));
    }
  }
  for (const key of [config.security?.tokenKey, config.server?.connectKey]) if (key) values.push(key);
  for (const key of config.server.auth?.apiKeys ?? []) values.push(typeof key === 'string' ? key : key.key);
  values.push(...Object.values(config.telemetry?.otlp?.headers ?? {}));
  if (config.vcon?.conserver?.apiToken) values.push(config.vcon.conserver.apiToken);
  // A header like "Bearer abc…" hides its token part too.
  const parts = values.flatMap((value) => [value, ...value.split(/\s+/)]);
  return [...new Set(parts.filter((value) => value.length >= MIN_SECRET_LENGTH))];
}

export class SecretScrubber {
  private values: string[] = [];

  /** Longest first, so that a secret containing another is hidden whole. */
  add(values: readonly string[]): void {
    this.values = [...new Set([...this.values, ...values])].sort((a, b) => b.length - a.length);
  }

  scrub(text: string): string {
    let out = text;
    for (const value of this.values) if (out.includes(value)) out = out.split(value).join(REDACTED);
    for (const [pattern, replacement] of SHAPES) out = out.replace(pattern, replacement);
    return out;
  }
}
