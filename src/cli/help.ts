// `mcproxy help [COMMAND]`: the overview, or one command's own page.
import { USAGE } from './args.js';

const COMMANDS: Record<string, string> = {
  run: `Usage: mcproxy [--config FILE] [--transport stdio|http] [--host H] [--port N]

Runs the proxy. With the stdio transport (the default) the MCP client starts mcproxy itself and
talks to it on stdin/stdout; run by hand in a terminal it just waits for such a client. With
--transport http it serves Streamable HTTP on http://HOST:PORT/mcp (default 127.0.0.1:8808).
Binding another address than loopback makes every upstream reachable from other machines.
Logs go to stderr (MCPROXY_LOG_LEVEL=debug for more); stdout carries only the protocol.
Exit codes: 2 invalid or missing config, 3 cannot listen (port in use, permission denied).
`,
  validate: `Usage: mcproxy validate [--config FILE]

Checks the config without starting anything and prints every problem, one per line, as
FILE:LINE:COLUMN KEY.PATH: MESSAGE. Exit 0 valid, 2 invalid or missing.
`,
  list: `Usage: mcproxy list [--config FILE] [--json]

Connects to every upstream once and prints the catalog a client would see: each tool, prompt,
resource and template with its exposed name, upstream and original name. An upstream that
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
  help: `Usage: mcproxy help [COMMAND]

Prints the overview, or COMMAND's own help (run, validate, list, init).
`,
};

/** The help for `topic`, or undefined when there is no such command. */
export function helpText(topic?: string): string | undefined {
  if (topic === undefined) return USAGE;
  return COMMANDS[topic];
}

export const HELP_TOPICS = Object.keys(COMMANDS);
