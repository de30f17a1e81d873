// Real MCP clients from the npm registry, run through npx under Node 22 (which they need; this
// machine's Node may be 20). Versions are pinned so that a test downloads them once per machine.

/** `npx` arguments before the Inspector's own: `npx ...INSPECTOR --cli URL --method tools/list`. */
export const INSPECTOR = ['-y', '-p', 'node@22', '-p', '@modelcontextprotocol/inspector@2.12.0', '--', 'mcp-inspector'];

/** `npx ...CLAUDE_CODE mcp list`: Claude Code's CLI. */
export const CLAUDE_CODE = ['-y', '-p', 'node@22', '-p', '@anthropic-ai/claude-code@2.1.332', '--', 'claude'];

/** `npx ...GEMINI_CLI mcp list`: the Gemini CLI. */
export const GEMINI_CLI = ['-y', '-p', 'node@22', '-p', '@google/gemini-cli@0.61.0', '--', 'gemini'];
