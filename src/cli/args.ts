// Command-line parsing: pure, so every flag combination is unit-tested.
import { parseArgs } from 'node:util';
import { parseVconCommand, type VconCommand } from './vconArgs.js';

export type Command =
  | { kind: 'run'; config?: string; transport?: 'stdio' | 'http'; host?: string; port?: number; profile?: string }
  | { kind: 'validate'; config?: string }
  | { kind: 'list'; config?: string; json: boolean; profile?: string }
  | { kind: 'init'; install?: string; undo?: string; dryRun: boolean; output?: string; all: boolean }
  | VconCommand
  | { kind: 'pins'; config?: string; action: 'list' | 'diff' | 'accept'; selector?: string }
  | { kind: 'reload'; config?: string }
  | { kind: 'restart'; config?: string; upstream: string }
  | { kind: 'status'; config?: string; url?: string; watch: boolean; json: boolean }
  | { kind: 'auth'; config?: string; action: 'login' | 'status' | 'logout'; upstream?: string; timeoutSeconds?: number }
  | { kind: 'help'; topic?: string }
  | { kind: 'version' };

export const USAGE = `Usage:
  mcproxy [--config FILE] [--transport stdio|http] [--host H] [--port N] [--profile NAME]
                                   run the proxy (stdio: a client such as Claude Desktop starts it)
  mcproxy validate [--config FILE] check the config; lists every problem
  mcproxy list [--config FILE] [--json] [--profile NAME]
                                   connect to the upstreams and print the catalog, exposed ← original
  mcproxy init [--install CLIENT [--all]] [--dry-run] [--undo CLIENT] [--output FILE]
                                   import the MCP servers of the clients on this machine
  mcproxy vcon validate FILE...    check vCon files against the IETF schema and core rules
  mcproxy vcon show FILE           print a vCon as a timeline (follows chain links to vCons beside it)
  mcproxy vcon flush [--config FILE]
                                   post the spooled vCons to the conserver now; list what was rejected
  mcproxy pins list|diff|accept [UPSTREAM[:TOOL]] [--config FILE]
                                   show the tool pins, what differs from them, or accept the current versions
  mcproxy reload [--config FILE]   make the running proxy re-read its config (as SIGHUP does)
  mcproxy restart UPSTREAM [--config FILE]
                                   restart one upstream of the running proxy, also after it \`failed\`
  mcproxy status [--url URL] [--watch] [--json] [--config FILE]
                                   a running proxy's upstreams (state, uptime, restarts, tools, calls,
                                   errors, p50/p95 latency) and sessions, from its /status.json
  mcproxy auth login UPSTREAM [--timeout SECONDS] [--config FILE]
                                   log in to an upstream that needs OAuth (opens $BROWSER or the system browser)
  mcproxy auth status [--config FILE]
                                   each OAuth upstream: logged in as, scopes, expiry, or what it needs
  mcproxy auth logout UPSTREAM [--config FILE]
                                   forget an upstream's stored login
  mcproxy help [COMMAND]           this text, or a command's own
  mcproxy --version

Options:
  -c, --config FILE        the config (YAML, or a client's JSON such as claude_desktop_config.json)
  -t, --transport MODE     stdio (default) or http; overrides server.transport
      --host HOST          HTTP address to bind (default 127.0.0.1); overrides server.host
  -p, --port N             HTTP port (default 8808, 0 for any free one); overrides server.port
      --profile NAME       the profile (view) a stdio client gets, or \`list\` prints; HTTP serves
                           each profile at <path>/NAME
      --json               \`list\`, \`status\`: print JSON instead of a table
      --url URL            \`status\`: the proxy (or its admin listener) to ask; default from the config
      --watch              \`status\`: print again every 2 seconds until Ctrl+C
      --install CLIENT     \`init\`: import CLIENT's servers and point its config at mcproxy (keeps a backup)
      --all                \`init --install\`: import every client's servers, not only CLIENT's
      --dry-run            \`init\`: show what would be written, write nothing
      --undo CLIENT        \`init\`: put CLIENT's config back from its backup
  -o, --output FILE        \`init\`: where to write the config (default ./mcproxy.yaml)
      --timeout SECONDS    \`auth login\`: how long to wait for the browser login (default 300)
  -h, --help               help; \`mcproxy COMMAND --help\` for a command's
  -v, --version            the version

Environment:
  MCPROXY_CONFIG           the config file when --config is not given
  MCPROXY_LOG_LEVEL        error, warn, info or debug; overrides logging.level (logs go to stderr)
  MCPROXY_API_KEY          \`status\`: the API key to send when the admin endpoints require one
  MCPROXY_DATA_DIR         where servers keep data (default config: memory graph, files);
                           default \${XDG_DATA_HOME:-~/.local/share}/mcproxy (%LOCALAPPDATA%\\mcproxy on Windows)
  MCPROXY_V8_FLAGS         V8 flags the proxy sets on itself, "" for none (default, for less memory:
                           --semi-space-growth-factor=1 --heap-growing-percent=50)
  A .env file beside the config fills the \${VAR}s the environment does not set. Running (and
  list, pins), an unset \${VAR} inside an upstream leaves that upstream out, said in one line;
  validate reports it as a problem.

Config search order: --config, $MCPROXY_CONFIG, ./mcproxy.yaml, the user's config folder
(\${XDG_CONFIG_HOME:-~/.config}/mcproxy/mcproxy.yaml, %APPDATA%\\mcproxy\\mcproxy.yaml on Windows),
then the default config bundled with mcproxy.

Exit codes: 0 ok; 1 an upstream failed (\`list\`), the proxy cannot be reached (\`status\`) or an
unexpected error; 2 bad usage or an invalid or missing config; 3 cannot listen (port in use,
permission denied, no such address); 4 \`status\`: a required upstream is down.
`;

/** Every option; each one is documented in USAGE (a unit test holds that). */
export const OPTIONS = {
  config: { type: 'string', short: 'c' },
  transport: { type: 'string', short: 't' },
  host: { type: 'string' },
  port: { type: 'string', short: 'p' },
  json: { type: 'boolean' },
  profile: { type: 'string' },
  // `status` only
  url: { type: 'string' },
  watch: { type: 'boolean' },
  // `init` only
  install: { type: 'string' },
  undo: { type: 'string' },
  'dry-run': { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  all: { type: 'boolean' },
  // `auth login` only
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

export class UsageError extends Error {}

export function parseCommand(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: OPTIONS,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [sub, ...extra] = positionals;
  if (values.help) return sub === undefined || sub === 'help' ? { kind: 'help' } : { kind: 'help', topic: sub };
  if (values.version) return { kind: 'version' };
  if (sub === 'help') {
    if (extra.length > 1) throw new UsageError(`unexpected argument: ${extra[1]}`);
    return extra[0] === undefined ? { kind: 'help' } : { kind: 'help', topic: extra[0] };
  }
  if (sub === 'vcon' && !values.json) return parseVconCommand(extra, values.config);
  if (sub === 'pins' && !values.json) return pinsCommand(extra, values.config);
  if (sub === 'restart' && !values.json && values.profile === undefined) {
    if (extra.length !== 1) throw new UsageError(extra.length === 0 ? 'mcproxy restart needs the name of an upstream' : `unexpected argument: ${extra[1]}`);
    ['transport', 'host', 'port', 'install', 'undo', 'dry-run', 'output'].forEach((name) => {
      if (values[name as keyof typeof values] !== undefined) throw new UsageError(`--${name} does not apply to \`mcproxy restart\``);
    });
    return { kind: 'restart', config: values.config, upstream: extra[0] };
  }
  if (sub === 'auth' && !values.json) return authCommand(extra, values.config, values.timeout);
  if (values.timeout !== undefined) throw new UsageError('--timeout only applies to `mcproxy auth login`');
  if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra[0]}`);
  const runOnly = (name: string) => {
    if (sub !== undefined && values[name as keyof typeof values] !== undefined) throw new UsageError(`--${name} only applies when running the proxy`);
  };
  ['transport', 'host', 'port'].forEach(runOnly);
  if (sub !== 'list' && sub !== 'status' && values.json) throw new UsageError('--json only applies to `mcproxy list` and `mcproxy status`');
  for (const name of ['url', 'watch'] as const) {
    if (sub !== 'status' && values[name] !== undefined) throw new UsageError(`--${name} only applies to \`mcproxy status\``);
  }
  if ((sub === 'validate' || sub === 'init') && values.profile !== undefined) throw new UsageError('--profile applies to running the proxy and to `mcproxy list`');
  for (const name of ['install', 'undo', 'dry-run', 'output', 'all'] as const) {
    if (sub !== 'init' && values[name] !== undefined) throw new UsageError(`--${name} only applies to \`mcproxy init\``);
  }
  switch (sub) {
    case undefined:
      return { kind: 'run', config: values.config, transport: transportOf(values.transport), host: values.host, port: portOf(values.port), ...(values.profile !== undefined && { profile: values.profile }) };
    case 'validate':
      return { kind: 'validate', config: values.config };
    case 'reload':
      if (values.profile !== undefined || values.json) throw new UsageError('`mcproxy reload` takes only --config');
      return { kind: 'reload', config: values.config };
    case 'list':
      return { kind: 'list', config: values.config, json: values.json ?? false, ...(values.profile !== undefined && { profile: values.profile }) };
    case 'status':
      if (values.profile !== undefined) throw new UsageError('--profile does not apply to `mcproxy status`');
      return { kind: 'status', config: values.config, url: values.url, watch: values.watch ?? false, json: values.json ?? false };
    case 'init':
      if (values.config !== undefined) throw new UsageError('`mcproxy init` writes a config: give its path with --output');
      if (values.undo !== undefined && (values.install !== undefined || values['dry-run'])) throw new UsageError('--undo goes alone');
      if (values.all && values.install === undefined) throw new UsageError('--all goes with --install CLIENT (plain `mcproxy init` imports every client already)');
      return { kind: 'init', install: values.install, undo: values.undo, dryRun: values['dry-run'] ?? false, output: values.output, all: values.all ?? false };
    default:
      throw new UsageError(`unknown command: ${sub}`);
  }
}

function pinsCommand([action, selector, ...rest]: string[], config: string | undefined): Command {
  if (action !== 'list' && action !== 'diff' && action !== 'accept') throw new UsageError(`mcproxy pins needs list, diff or accept, not ${action ?? 'nothing'}`);
  if (rest.length > 0) throw new UsageError(`unexpected argument: ${rest[0]}`);
  return { kind: 'pins', config, action, selector };
}

function authCommand([action, upstream, ...rest]: string[], config: string | undefined, timeout: string | undefined): Command {
  if (action !== 'login' && action !== 'status' && action !== 'logout') throw new UsageError(`mcproxy auth needs login, status or logout, not ${action ?? 'nothing'}`);
  if (action !== 'status' && upstream === undefined) throw new UsageError(`mcproxy auth ${action} needs the upstream's name`);
  const extra = action === 'status' ? [upstream, ...rest].filter((a) => a !== undefined) : rest;
  if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra[0]}`);
  if (timeout !== undefined && action !== 'login') throw new UsageError('--timeout only applies to `mcproxy auth login`');
  if (timeout !== undefined && !/^\d+$/.test(timeout)) throw new UsageError(`--timeout must be a number of seconds, not ${timeout}`);
  return { kind: 'auth', config, action, ...(upstream !== undefined && action !== 'status' && { upstream }), ...(timeout !== undefined && { timeoutSeconds: Number(timeout) }) };
}

function transportOf(value: string | undefined): 'stdio' | 'http' | undefined {
  if (value === undefined || value === 'stdio' || value === 'http') return value;
  throw new UsageError(`--transport must be stdio or http, not ${value}`);
}

function portOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not ${value}`);
  return port;
}
