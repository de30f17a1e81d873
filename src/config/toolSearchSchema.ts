// toolSearch: search mode, at the top level and per profile (a profile's keys override the
// top level's one by one). No defaults here, so that a profile's unset keys can inherit; the
// defaults are applied when the two are merged (src/toolSearch/settings.ts).
import { z } from 'zod';
import { positiveInteger } from './numbers.js';

export const CALL_TOOL_CLASSES = ['any', 'readOnly', 'nonDestructive'] as const;

export const ToolSearchSchema = z.strictObject({
  enabled: z.boolean().optional().describe('Search mode: tools/list holds search_tools, call_tool and the pinned tools.'),
  pinned: z.array(z.string().min(1)).optional().describe('Exposed-name globs of tools always listed beside the search tools.'),
  maxResults: positiveInteger().max(50, { error: 'expected an integer from 1 to 50' }).optional().describe('Most tools one search returns (default 8).'),
  expose: z.enum(['meta', 'dynamic']).optional().describe('meta: only the search tools; dynamic: found tools join this session\'s tools/list too.'),
  callTool: z
    .strictObject({
      allow: z.array(z.enum(CALL_TOOL_CLASSES)).min(1).optional().describe('Which tools call_tool may call, by annotations: any, readOnly, nonDestructive.'),
    })
    .optional(),
});

export type ToolSearchConfig = z.infer<typeof ToolSearchSchema>;
