// dotenv files (`KEY=value` lines) as VS Code's `envFile` points at them. Node's own parser
// (util.parseEnv) handles quotes, `export`, comments and multi-line values.
import { parseEnv } from 'node:util';

export function parseEnvFile(text: string): Record<string, string> {
  return Object.fromEntries(Object.entries(parseEnv(text)).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
