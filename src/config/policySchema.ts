// What clients see: the allow/block/rename/describe/arguments sections of an upstream, the
// top-level `policy:`, the `profiles:` views and the naming rules. Key names are a contract.
import { z } from 'zod';
import { ToolSearchSchema } from './toolSearchSchema.js';

/** Glob patterns (picomatch syntax: `*`, `?`, `[abc]`), checked for syntax by checkPolicies. */
const globList = z.array(z.string().min(1));
const nameMap = z.record(z.string().min(1), z.string());

const filter = {
  /** Only names matching one of these are exposed; no list means everything. */
  allow: globList.optional().describe('Glob patterns (*, ?, [abc]); only matching names are exposed. No list: everything.'),
  /** Names matching one of these are never exposed, even when allowed. */
  block: globList.optional().describe('Glob patterns; matching names are never exposed or forwarded. Block wins over allow.'),
};

export const ToolsPolicySchema = z.strictObject({
  ...filter,
  /** `original: exposed`; the exposed name is used exactly as written. */
  rename: nameMap.optional().describe('original: exposed. The exposed name is used exactly as written.'),
  /** `original: description` replaces the description clients see. */
  describe: nameMap.optional().describe('original: "description clients see instead".'),
  /** `tool: { argument: value }`: hidden from the input schema and injected on every call. */
  arguments: z
    .record(z.string().min(1), z.record(z.string().min(1), z.unknown()))
    .optional()
    .describe('tool: { argument: value }. Pinned: hidden from the input schema and injected on every call.'),
});

export const PromptsPolicySchema = z.strictObject({
  ...filter,
  rename: nameMap.optional().describe('original: exposed. The exposed name is used exactly as written.'),
  describe: nameMap.optional().describe('original: "description clients see instead".'),
});

/** Resources and resource templates, matched by URI (template). */
export const ResourcesPolicySchema = z.strictObject(filter);

/** The sections an upstream (matched against original names) and a view (exposed names) accept. */
export const policySections = {
  tools: ToolsPolicySchema.optional(),
  prompts: PromptsPolicySchema.optional(),
  resources: ResourcesPolicySchema.optional(),
};

export const PolicySchema = z.strictObject(policySections);

export const ProfileSchema = z.strictObject({
  /** Upstream keys this view includes; all when absent. Others are not started for its sessions. */
  upstreams: z.array(z.string().min(1)).optional().describe('Upstream keys in this view (default: all). Others are not started for its sessions.'),
  /** Applied on exposed names after the top-level `policy:`. */
  policy: PolicySchema.optional(),
  /** Search mode for this view; its keys override the top-level `toolSearch:` one by one. */
  toolSearch: ToolSearchSchema.optional(),
});

/** Profile names become URL path segments: keep them plain. */
export const PROFILE_NAME = /^[A-Za-z0-9_-]+$/;

export const ProfilesSchema = z.record(
  z.string().regex(PROFILE_NAME, { error: 'profile names allow only letters, digits, `_` and `-`' }),
  ProfileSchema,
);

const MAX_LENGTH_RULE = 'expected an integer from 16 to 128';

export const NamingSchema = z.strictObject({
  separator: z.string().default('__'),
  /** Longest exposed tool/prompt name; longer ones are shortened with a stable hash. */
  maxLength: z
    .number({ error: MAX_LENGTH_RULE })
    .int({ error: MAX_LENGTH_RULE })
    .min(16, { error: MAX_LENGTH_RULE })
    .max(128, { error: MAX_LENGTH_RULE })
    .default(64)
    .describe('Longest exposed tool/prompt name; longer ones are shortened with a stable hash.'),
  /** Two capabilities with one exposed name: `suffix` renames the later one (and warns), `error` refuses. */
  onCollision: z.enum(['suffix', 'error']).default('suffix').describe('suffix: the later one gets a qualified name and a warning; error: refuse to start.'),
});

export type Policy = z.infer<typeof PolicySchema>;
export type ToolsPolicy = z.infer<typeof ToolsPolicySchema>;
export type Profile = z.infer<typeof ProfileSchema>;
export type Naming = z.infer<typeof NamingSchema>;
