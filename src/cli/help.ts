// `mcproxy help [COMMAND]`: the overview, or one command's own page.
import { USAGE } from './args.js';

const COMMANDS: Record<string, string> = {
  run: `Usage: mcproxy [--config FILE] [--transport stdio|http] [--host H] [--port N] [--profile NAME]

Runs the proxy. With the stdio transport (the default) the MCP client starts mcproxy itself and
talks to it on stdin/stdout; run by hand in a terminal it just waits for such a client. With
--transport http it serves Streamable HTTP on http://HOST:PORT/mcp (default 127.0.0.1:8808).
Binding another address than loopback makes every upstream reachable from other machines.
--profile NAME picks the view (a profile of the config) a stdio client gets; over HTTP each
profile is served at <path>/NAME.
Logs go to stderr (MCPROXY_LOG_LEVEL=debug for more); stdout carries only the protocol.
An edit of the config file, SIGHUP or \`mcproxy reload\` reloads it (an invalid one is kept out).
SIGINT/SIGTERM let calls in flight finish within server.shutdownGraceMs, then exit 0; a second
signal exits at once (130/143).
Exit codes: 2 invalid or missing config, 3 cannot listen (port in use, permission denied).
`,
  validate: `Usage: mcproxy validate [--config FILE]

Checks the config without starting anything and prints every problem, one per line, as
FILE:LINE:COLUMN KEY.PATH: MESSAGE. Exit 0 valid, 2 invalid or missing.
`,
  list: `Usage: mcproxy list [--config FILE] [--json] [--profile NAME]

Connects to every upstream once and prints the catalog a client would see: each tool, prompt,
resource and template as EXPOSED ← UPSTREAM/ORIGINAL (for --profile NAME, as that profile's
clients see it), then COLLISION lines for names that collided. An upstream that
fails is shown as FAILED upstream NAME: REASON (its exit code and last stderr lines, or the
HTTP error). Exit 0 all connected, 1 some failed, 2 invalid config.
`,
  init: `Usage: mcproxy init [--output FILE] [--dry-run]
       mcproxy init --install CLIENT [--all] [--dry-run]
       mcproxy init --undo CLIENT

Finds the MCP client configs on this machine (claude-desktop, claude-code, cursor, vscode,
windsurf, cline, gemini), shows what it found, and writes their servers into one mcproxy.yaml
(default ./mcproxy.yaml). Secrets in env and headers become \${VAR} references, listed in a
.env.example beside it; their values are never printed.
--install CLIENT  imports CLIENT's own servers only, and rewrites CLIENT's config to start
                  mcproxy instead of them, after a timestamped backup
                  (FILE.mcproxy-backup-TIMESTAMP); says which secrets it copies there; refuses
                  a config that already starts mcproxy (--undo it first)
--all             with --install: every client's servers
Nothing to import, an existing output without --install, or no backup to undo: exit 2.
--dry-run         prints what would be written (a diff for --install), writes nothing
--undo CLIENT     restores CLIENT's config from its latest backup
`,
  vcon: `Usage: mcproxy vcon validate FILE...
       mcproxy vcon show FILE
       mcproxy vcon flush [--config FILE]

validate  checks each vCon against the IETF JSON Schema and the core rules it does not encode;
          lists the reasons; exit 2 if any file is invalid
show      prints a vCon as a timeline (time, from → to, method, summary; colours on a terminal),
          following chain links to vCons in the same folder
flush     posts the vCons spooled for the conserver of the config's vcon: section now, and lists
          those the conserver rejected
`,
  reload: `Usage: mcproxy reload [--config FILE]

Makes each running proxy of this config read it again, as SIGHUP does (a running proxy also
watches its file). The new config is validated first: if it is invalid, its problems are
printed and the proxy keeps the running one. Otherwise added upstreams start, removed ones
stop, changed ones restart, and the rest (and every client session) stay as they are.
Running proxies are found through the records in <data folder>/run/. Exit 0 reloaded,
1 none running or the config invalid.
`,
  restart: `Usage: mcproxy restart UPSTREAM [--config FILE]

Restarts one upstream of each running proxy of this config now, forgetting its failures:
also the way back for an upstream that has \`failed\` (restart.maxFailures within
restart.windowMs). Exit 0 restarted, 1 none running or no such upstream.
`,
  status: `Usage: mcproxy status [--url URL] [--watch] [--json] [--config FILE]

Asks a running proxy for its /status.json and prints its sessions and, for each upstream: state
(idle: no session has needed it yet, starting, up, down, or failed: given up on until
\`mcproxy restart\`), how long in that state, restarts, tools, calls, errors, and p50/p95 latency
of its latest calls; * marks required upstreams.
--url URL   the proxy's HTTP address or its admin listener (default: server.admin, else
            server.host:server.port of the config); MCPROXY_API_KEY is sent if set
--watch     prints again every 2 seconds until Ctrl+C
--json      prints the status as JSON
Exit 0 ready, 1 cannot reach the proxy, 4 reached but a required upstream is starting, down or failed.
`,
  auth: `Usage: mcproxy auth login UPSTREAM [--timeout SECONDS] [--config FILE]
       mcproxy auth status [--config FILE]
       mcproxy auth logout UPSTREAM [--config FILE]

login   logs in to a remote upstream that needs OAuth: finds its authorization server,
        registers mcproxy there if needed, opens the login page (the command in $BROWSER,
        else the system browser; the URL is printed too) and waits (default 300 s) for the
        redirect to http://127.0.0.1:PORT/callback (PORT: oauth.redirectPort, 0 for any).
        The tokens go to the data folder's oauth/ folder (encrypted with security.tokenKey);
        a running proxy waiting on this upstream connects as soon as they are there.
status  lists each remote upstream with a login or an oauth: section: logged in as, scopes,
        expiry, or what it needs. Never prints a token.
logout  forgets the upstream's stored login (tokens and registration).
Exit 0 done, 1 the login failed (the reason names the upstream), 2 bad usage or config.
`,
  help: `Usage: mcproxy help [COMMAND]

Prints the overview, or COMMAND's own help (run, validate, list, init, vcon, reload, restart, status, auth).
`,
};

/** The help for `topic`, or undefined when there is no such command. */
export function helpText(topic?: string): string | undefined {
  if (topic === undefined) return USAGE;
  return COMMANDS[topic];
}

export const HELP_TOPICS = Object.keys(COMMANDS);
