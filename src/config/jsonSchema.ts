// The JSON Schema of mcproxy.yaml, generated from the zod schema (zod's own toJSONSchema), for
// editors: YAML files point at config/mcproxy.schema.json with
// `# yaml-language-server: $schema=…`. `npm run schema` (src/cli/writeConfigSchema.ts)
// rewrites the shipped file; a test fails when it is stale.
import { z } from 'zod';
import { ConfigSchema } from './schema.js';

export const SCHEMA_FILE = 'config/mcproxy.schema.json';

/** The schema as shipped: what a user may write (input side: defaults make keys optional). */
export function configJsonSchemaText(): string {
  const schema = z.toJSONSchema(ConfigSchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' });
  return JSON.stringify({ ...schema, title: 'mcproxy configuration (mcproxy.yaml)' }, null, 2) + '\n';
}

