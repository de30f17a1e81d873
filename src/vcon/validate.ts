// Checks a vCon before it leaves, and for `mcproxy vcon validate`: the IETF JSON Schema (with
// ajv: draft-07, formats checked) plus the rules it does not encode (rules.ts).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { checkRules } from './rules.js';

// ajv-formats is CommonJS with a `default` export that ESM imports would wrap once more.
const addFormats = createRequire(import.meta.url)('ajv-formats') as typeof import('ajv-formats').default;

/** The schema ships with the package as data, beside the config (see config/vcon/README.md). */
export const VCON_SCHEMA_FILE = fileURLToPath(new URL('../../../config/vcon/vcon_json_schema.json', import.meta.url));

let compiled: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    compiled = ajv.compile(JSON.parse(readFileSync(VCON_SCHEMA_FILE, 'utf8')));
  }
  return compiled!;
}

/** Every reason the vCon is invalid; empty when it is valid. */
export function vconProblems(vcon: unknown): string[] {
  const validate = schemaValidator();
  const schemaProblems = validate(vcon)
    ? []
    : (validate.errors ?? []).map((error) => `schema: ${error.instancePath || '(top level)'} ${error.message ?? 'is invalid'}`);
  return [...schemaProblems, ...checkRules(vcon)];
}
