// The `vcon:` section of mcproxy.yaml: recording every client session as a vCon. Key names are
// a contract (issue 8): add, never rename.
import path from 'node:path';
import { z } from 'zod';
import { positiveInteger } from './numbers.js';
import type { ConfigPath } from './problems.js';

const NON_NEGATIVE_INTEGER = 'expected a non-negative integer';
const count = (error: string, min: number) => z.number({ error }).int({ error }).min(min, { error });

/** A regular expression given as a string; a bad one is a config error, not a crash at the first message. */
const regexSource = z.string().refine(
  (source) => {
    try {
      new RegExp(source, 'g');
      return true;
    } catch {
      return false;
    }
  },
  { error: 'expected a valid regular expression' },
);

export const VconSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Where vCons land as <uuid>.vcon.json (and the journal/, spool/ and rejected/ folders beside them). */
  dir: z.string().min(1).default('./vcons'),
  conserver: z
    .strictObject({
      /** POST target, e.g. http://localhost:8000/api/vcon; CONSERVER_URL when unset. */
      url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).optional(),
      apiToken: z.string().optional(),
      apiTokenHeader: z.string().min(1).default('x-conserver-api-token'),
      ingressList: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
      timeoutMs: positiveInteger().default(30_000),
      retryAttempts: count(NON_NEGATIVE_INTEGER, 0).default(3),
      retryDelayMs: positiveInteger().default(1_000),
    })
    .prefault({}),
  session: z
    .strictObject({
      timeoutMs: positiveInteger().default(300_000),
      maxMessages: positiveInteger().default(10_000),
      captureResources: z.boolean().default(true),
      capturePrompts: z.boolean().default(true),
      maxInlineContentSize: positiveInteger().default(100_000),
    })
    .prefault({}),
  addAnalysis: z.boolean().default(true),
  tags: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({}),
  redact: z.array(regexSource).default([]),
});

export type VconSection = z.infer<typeof VconSchema>;

/** The section after loading: `dir` absolute (relative to the config file's folder). */
export type VconConfig = VconSection;

export function normalizeVcon(raw: VconSection | undefined, folder: string): VconConfig | undefined {
  if (!raw || !raw.enabled) return undefined;
  return { ...raw, dir: path.resolve(folder, raw.dir) };
}

const VCON_NUMBERS = new Set(['conserver.timeoutMs', 'conserver.retryAttempts', 'conserver.retryDelayMs', 'session.timeoutMs', 'session.maxMessages', 'session.maxInlineContentSize']);
const VCON_BOOLEANS = new Set(['enabled', 'addAnalysis', 'session.captureResources', 'session.capturePrompts']);

/** Which `vcon.*` keys take a number or a boolean, for `${VAR}` values (see prepare.ts). */
export function vconScalarKindAt(path: ConfigPath): 'number' | 'boolean' | undefined {
  if (path[0] !== 'vcon') return undefined;
  const key = path.slice(1).join('.');
  if (VCON_NUMBERS.has(key)) return 'number';
  if (VCON_BOOLEANS.has(key)) return 'boolean';
  return undefined;
}
