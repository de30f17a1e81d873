// The environment a stdio upstream starts with: what makes networks, certificates, locales and
// package managers work (so that `npx -y` servers install behind a corporate proxy or CA), plus
// what the config adds, never the proxy's own secrets and settings. Plain data, no I/O.

/**
 * Inherited by every stdio upstream. `NAME*` is a prefix. Proxies and CA settings come in both
 * spellings because tools disagree on which they read.
 */
export const INHERITED_BY_DEFAULT: readonly string[] = [
  // who and where
  'HOME', 'USER', 'LOGNAME', 'SHELL', 'PATH', 'TERM', 'TMPDIR', 'TEMP', 'TMP', 'XDG_*',
  // networks
  'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'ALL_PROXY', 'https_proxy', 'http_proxy', 'no_proxy', 'all_proxy',
  // certificates
  'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'PIP_CERT', 'NODE_USE_SYSTEM_CA',
  // locales and time
  'LANG', 'LANGUAGE', 'LC_*', 'TZ',
  // package managers (registries, caches, mirrors)
  'npm_config_*', 'NPM_CONFIG_*', 'YARN_*', 'PNPM_HOME', 'COREPACK_*', 'PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL', 'UV_*', 'PYTHONIOENCODING',
  // Windows: where programs, profiles and temp folders are
  'APPDATA', 'LOCALAPPDATA', 'HOMEDRIVE', 'HOMEPATH', 'USERPROFILE', 'USERNAME', 'PATHEXT', 'SYSTEMDRIVE', 'SYSTEMROOT', 'PROGRAMFILES', 'ComSpec', 'windir',
];

/** Never inherited through a pattern: mcproxy's own settings and its vCon delivery credentials. */
const PROXY_OWN: readonly string[] = ['MCPROXY_*', 'CONSERVER_*'];

/** `NAME` or `PREFIX*`, as `inheritEnv` accepts them. */
export const ENV_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*\*?$|^\*$/;

export interface ChildEnvOptions {
  /** Names and `PREFIX*` patterns inherited on top of the defaults (top-level and the upstream's `inheritEnv`). */
  inherit: readonly string[];
  /** Variables the config refers to as `${VAR}`: secrets meant for where the config puts them, not for every child. */
  withhold: readonly string[];
  /** The upstream's own `env`, which wins over anything inherited. */
  env: Readonly<Record<string, string>>;
}

const matches = (name: string, pattern: string) => (pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern);

/**
 * The child's environment. A variable named exactly in `inherit` is passed even if withheld
 * otherwise (the config asked for it by name); one that only matches a pattern never is when it
 * is the proxy's own or a `${VAR}` of the config.
 */
export function childEnvironment(parent: Readonly<Record<string, string | undefined>>, options: ChildEnvOptions): Record<string, string> {
  const patterns = [...INHERITED_BY_DEFAULT, ...options.inherit];
  const withheld = (name: string) => PROXY_OWN.some((pattern) => matches(name, pattern)) || options.withhold.includes(name);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    // Exported shell functions (`()...`) are no value a server needs, and a known attack vector.
    if (value === undefined || value.startsWith('()')) continue;
    if (options.inherit.includes(name) || (patterns.some((pattern) => matches(name, pattern)) && !withheld(name))) env[name] = value;
  }
  return { ...env, ...options.env };
}
