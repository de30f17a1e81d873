// The search view: what a session in search mode lists, finds and lets call_tool call, as a
// pure transformation of the catalog it would otherwise list. Everything in it comes from
// the exposed catalog (after policy, pinning and naming), so a blocked or withheld tool is
// never found: it is not there.
import picomatch from 'picomatch';
import { documentOf, type SearchDocument, type ToolLike } from './documents.js';
import { CALL_TOOL, callToolTool, SEARCH_TOOLS, searchToolsTool } from './metaTools.js';
import { buildIndex, DEFAULT_RANKING, search, type SearchIndex } from './ranking.js';
import type { ToolSearchSettings } from './settings.js';
import type { Thesaurus } from './thesaurus.js';

/** What the index knows of the upstream behind a tool. */
export type UpstreamDescription = SearchDocument['upstream'];

export interface SearchView<T extends ToolLike = ToolLike> {
  settings: ToolSearchSettings;
  /** Every tool of the catalog, by exposed name. */
  tools: Map<string, T>;
  /** Names the `pinned` globs match: always listed, callable whatever `callTool.allow` says. */
  pinned: Set<string>;
  /** Over the tools call_tool may call: the only ones a search finds. */
  index: SearchIndex;
  /** The meta-tools' exposed names: an upstream tool by one of these names is only reached through call_tool. */
  metaTools: [ReturnType<typeof searchToolsTool>, ReturnType<typeof callToolTool>];
}

/** Builds the view of a catalog's tools; `upstreamOf` tells which upstream offers a tool. */
export function searchViewOf<T extends ToolLike>(
  tools: readonly T[],
  upstreamOf: (name: string) => UpstreamDescription,
  settings: ToolSearchSettings,
  thesaurus: Thesaurus | undefined,
): SearchView<T> {
  const isPinned = settings.pinned.length > 0 ? picomatch(settings.pinned, { dot: true, bash: true, nonegate: true }) : () => false;
  const pinned = new Set(tools.filter((tool) => isPinned(tool.name)).map((tool) => tool.name));
  const callable = tools.filter((tool) => pinned.has(tool.name) || allowedByAnnotations(tool, settings));
  const index = buildIndex(
    callable.map((tool) => documentOf(tool, upstreamOf(tool.name))),
    { ...DEFAULT_RANKING, thesaurus },
  );
  return {
    settings,
    tools: new Map(tools.map((tool) => [tool.name, tool])),
    pinned,
    index,
    metaTools: [searchToolsTool(settings.maxResults, callable.length), callToolTool()],
  };
}

/**
 * Whether `callTool.allow` lets a tool through on its annotations. Absent hints mean what the
 * MCP spec says they mean: not read-only, and (if not read-only) destructive.
 */
export function allowedByAnnotations(tool: ToolLike, settings: Pick<ToolSearchSettings, 'allow'>): boolean {
  const readOnly = tool.annotations?.readOnlyHint === true;
  const destructive = !readOnly && tool.annotations?.destructiveHint !== false;
  return settings.allow.some((kind) => kind === 'any' || (kind === 'readOnly' && readOnly) || (kind === 'nonDestructive' && !destructive));
}

/** Whether call_tool (and, in dynamic exposure, a direct call) may call the tool. */
export function mayCall(view: SearchView, name: string): boolean {
  const tool = view.tools.get(name);
  return tool !== undefined && (view.pinned.has(name) || allowedByAnnotations(tool, view.settings));
}

/** tools/list in search mode: the meta-tools, the pinned tools, then the session's found tools (dynamic exposure) in the order given. */
export function listedTools<T extends ToolLike>(view: SearchView<T>, exposed: readonly string[] = []): Array<T | SearchView['metaTools'][number]> {
  const listed: Array<T | SearchView['metaTools'][number]> = [...view.metaTools];
  const names = new Set<string>([SEARCH_TOOLS, CALL_TOOL]);
  for (const [name, tool] of view.tools) {
    if (view.pinned.has(name) && !names.has(name)) listed.push(tool), names.add(name);
  }
  for (const name of exposed) {
    const tool = view.tools.get(name);
    if (tool && !names.has(name) && mayCall(view, name)) listed.push(tool), names.add(name);
  }
  return listed;
}

/** One search result: all a model needs to call the tool at once. */
export interface Found {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: unknown;
  annotations?: unknown;
}

/** The tools a query finds, best first. */
export function findTools<T extends ToolLike>(view: SearchView<T>, query: string, limit: number): Found[] {
  return search(view.index, query, limit).map(({ document }) => {
    const tool = view.tools.get(document.name)! as ToolLike & { inputSchema?: unknown; annotations?: unknown; title?: string };
    return {
      name: tool.name,
      ...(tool.title !== undefined && { title: tool.title }),
      ...(tool.description !== undefined && { description: tool.description }),
      inputSchema: tool.inputSchema,
      ...(tool.annotations !== undefined && { annotations: tool.annotations }),
    };
  });
}
