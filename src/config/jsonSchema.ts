// The JSON Schema of mcproxy.yaml, generated from the zod schema (zod's own toJSONSchema), for
// editors: YAML files point at config/mcproxy.schema.json with
// `# yaml-language-server: $schema=…`. `npm run schema` rewrites the shipped file; a test
// fails when it is stale.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ConfigSchema } from './schema.js';

export const SCHEMA_FILE = 'config/mcproxy.schema.json';

/** The schema as shipped: what a user may write (input side: defaults make keys optional). */
export function configJsonSchemaText(): string {
  const schema = z.toJSONSchema(ConfigSchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' });
  return JSON.stringify({ ...schema, title: 'mcproxy configuration (mcproxy.yaml)' }, null, 2) + '\n';
}

// Run as a script: write the shipped file, relative to the package root (dist/src/config → ../../..).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  writeFileSync(path.join(root, SCHEMA_FILE), configJsonSchemaText());
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}
