// `npm run schema`: a maintainer's script, not a mcproxy command. Rewrites the shipped
// config/mcproxy.schema.json from the zod schema (see src/config/jsonSchema.ts); a test fails
// when the shipped file is stale.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configJsonSchemaText, SCHEMA_FILE } from '../config/jsonSchema.js';

// The package root, from dist/src/cli.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
writeFileSync(path.join(root, SCHEMA_FILE), configJsonSchemaText());
process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
