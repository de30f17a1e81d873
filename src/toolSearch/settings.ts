// The search mode a view runs in: the top-level `toolSearch:` with the profile's own keys
// over it, one by one, and the defaults under both.
import type { ProxyConfig } from '../config/schema.js';
import type { CALL_TOOL_CLASSES, ToolSearchConfig } from '../config/toolSearchSchema.js';

export type CallToolClass = (typeof CALL_TOOL_CLASSES)[number];

export interface ToolSearchSettings {
  enabled: boolean;
  pinned: string[];
  maxResults: number;
  expose: 'meta' | 'dynamic';
  allow: CallToolClass[];
}

export const DEFAULT_MAX_RESULTS = 8;

/** The settings of the view `profile` (undefined: the full view) serves. */
export function toolSearchSettings(config: Pick<ProxyConfig, 'toolSearch' | 'profiles'>, profile?: string): ToolSearchSettings {
  const top: ToolSearchConfig = config.toolSearch ?? {};
  const own: ToolSearchConfig = (profile !== undefined && Object.hasOwn(config.profiles, profile) ? config.profiles[profile].toolSearch : undefined) ?? {};
  return {
    enabled: own.enabled ?? top.enabled ?? false,
    pinned: own.pinned ?? top.pinned ?? [],
    maxResults: own.maxResults ?? top.maxResults ?? DEFAULT_MAX_RESULTS,
    expose: own.expose ?? top.expose ?? 'meta',
    allow: own.callTool?.allow ?? top.callTool?.allow ?? ['any'],
  };
}
