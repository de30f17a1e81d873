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
       mcproxy init --install CLIENT [--dry-run]
       mcproxy init --undo CLIENT

Finds the MCP client configs on this machine (claude-desktop, claude-code, cursor, vscode,
windsurf, cline), shows what it found, and writes their servers into one mcproxy.yaml
(default ./mcproxy.yaml). Secrets in env and headers become \${VAR} references, listed in a
.env.example beside it; their values are never printed.
--install CLIENT  also rewrites CLIENT's config to start mcproxy instead of those servers,
                  after a timestamped backup (FILE.mcproxy-backup-TIMESTAMP)
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

Prints the overview, or COMMAND's own help (run, validate, list, init, vcon, auth).
`,
};

/** The help for `topic`, or undefined when there is no such command. */
export function helpText(topic?: string): string | undefined {
  if (topic === undefined) return USAGE;
  return COMMANDS[topic];
}

export const HELP_TOPICS = Object.keys(COMMANDS);
