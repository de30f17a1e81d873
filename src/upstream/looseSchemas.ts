// Result schemas that keep every field. The SDK's own schemas strip keys they do not know,
// and a proxy must not lose what a newer server (or client) sends. A Standard Schema written
// out, not zod's looseObject: it hands the object on as it came, where zod copies each result.
import type { StandardSchemaV1 } from '@modelcontextprotocol/client';

export const LooseResult: StandardSchemaV1<Record<string, unknown>, Record<string, unknown>> = {
  '~standard': {
    version: 1,
    vendor: 'mcproxy',
    validate: (value: unknown) =>
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? { value: value as Record<string, unknown> }
        : { issues: [{ message: `expected an object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}` }] },
  },
};
