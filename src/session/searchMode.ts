// A session in search mode: its tools/list is the search view's, search_tools is answered
// here, and call_tool is checked here and then forwarded by the router exactly like a direct
// call of the tool it names (same route, progress, cancellation, sampling, tasks, recording).
import type { Catalog } from '../catalog/catalog.js';
import { EXPOSED_PER_RESULT, touch } from '../toolSearch/exposure.js';
import { CALL_TOOL, SEARCH_TOOLS } from '../toolSearch/metaTools.js';
import { callRequest, searchRequest } from '../toolSearch/requests.js';
import type { ToolSearchSettings } from '../toolSearch/settings.js';
import { defaultThesaurus, type Thesaurus } from '../toolSearch/thesaurus.js';
import { listedTools, mayCall, searchViewOf, type SearchView, type UpstreamDescription } from '../toolSearch/view.js';

type Params = Record<string, unknown>;
type ToolResult = { content: { type: 'text'; text: string }[]; isError?: boolean; structuredContent?: Params };

/** What the router does with a tools/call: answer it, or forward it as a call of `name`. */
export type SearchCall = { answer: ToolResult } | { forward: Params; via: string } | { direct: true } | { refuse: string };

let thesaurus: Thesaurus | undefined;

export class SearchMode {
  /** The view of each catalog, built once per catalog (catalogs are rebuilt on list_changed). */
  private readonly views = new WeakMap<Catalog, SearchView>();
  /** Names this session's searches returned: a call of one that went away is told why. */
  private readonly found = new Set<string>();
  /** Dynamic exposure: found tools in this session's list, least recently used first. */
  private readonly exposed: string[] = [];

  constructor(
    readonly settings: ToolSearchSettings,
    private readonly upstreamOf: (upstream: string) => UpstreamDescription,
    /** Whether found tools join this session's list (expose: dynamic, in an era that allows it). */
    private readonly dynamic: () => boolean,
    private readonly listChanged: () => void,
    /** Tools tool pinning withholds ("tool <name>" → why): call_tool says why, as a direct call does. */
    private readonly withheld: () => ReadonlyMap<string, string>,
  ) {}

  view(catalog: Catalog): SearchView {
    let view = this.views.get(catalog);
    if (!view) {
      thesaurus ??= defaultThesaurus();
      const upstreams = new Map<string, UpstreamDescription>();
      const upstreamOfTool = (name: string) => {
        const upstream = catalog.toolRoutes.get(name)!.upstream;
        if (!upstreams.has(upstream)) upstreams.set(upstream, this.upstreamOf(upstream));
        return upstreams.get(upstream)!;
      };
      view = searchViewOf(catalog.tools, upstreamOfTool, this.settings, thesaurus);
      this.views.set(catalog, view);
    }
    return view;
  }

  /** tools/list in search mode. */
  list(catalog: Catalog): unknown[] {
    return listedTools(this.view(catalog), this.dynamic() ? this.exposed : []);
  }

  /** Decides a tools/call: the meta-tools are answered or checked here, listed tools go direct, others are refused. */
  call(catalog: Catalog, params: Params): SearchCall {
    const view = this.view(catalog);
    const name = params.name;
    if (name === SEARCH_TOOLS) return this.search(view, params.arguments);
    if (name === CALL_TOOL) {
      const target = (params.arguments as Params | undefined)?.name;
      const withholding = this.withheld().get(`tool ${String(target)}`);
      if (withholding && !view.tools.has(target as string)) return { answer: toolError(withholding) };
      const checked = callRequest(view, params.arguments, this.found);
      if ('error' in checked) return { answer: toolError(checked.error) };
      this.use([checked.ok.name]);
      return { forward: { ...params, name: checked.ok.name, arguments: checked.ok.arguments }, via: CALL_TOOL };
    }
    if (typeof name === 'string' && (view.pinned.has(name) || (this.dynamic() && this.exposed.includes(name) && mayCall(view, name)))) {
      this.use([name]);
      return { direct: true };
    }
    if (typeof name === 'string' && view.tools.has(name)) {
      return { refuse: `Tool ${name} is not listed in search mode: call it with call_tool {"name": "${name}", "arguments": {...}}` };
    }
    return { direct: true }; // unknown names get the router's usual "not found"
  }

  private search(view: SearchView, args: unknown): SearchCall {
    const checked = searchRequest(view, args);
    if ('error' in checked) return { answer: toolError(checked.error) };
    const tools = checked.ok;
    for (const tool of tools) this.found.add(tool.name);
    this.use(tools.map((tool) => tool.name));
    // Compact JSON: the answer goes into the model's context.
    const text = tools.length === 0 ? 'No tool matches. Try other words for what you want to do.' : JSON.stringify({ tools });
    return { answer: { content: [{ type: 'text', text }], structuredContent: { tools } } };
  }

  /** Marks tools as just used; in dynamic exposure, tells the client when its list changed. */
  private use(names: string[]): void {
    if (!this.dynamic()) return;
    if (touch(this.exposed, names, EXPOSED_PER_RESULT * this.settings.maxResults)) this.listChanged();
  }
}

function toolError(text: string): ToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}
