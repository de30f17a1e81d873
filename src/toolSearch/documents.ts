// What a tool says of itself, as the search indexes it: plain data taken from a catalog tool
// and the upstream that offers it.

/** One searchable tool, field by field. */
export interface SearchDocument {
  /** The exposed name: what search results give and call_tool takes. */
  name: string;
  title?: string;
  description?: string;
  /** Argument names and their descriptions, from the input schema. */
  parameters: { name: string; description?: string }[];
  /** The upstream's key, namespace and title, and its instructions from initialize. */
  upstream: { name: string; namespace?: string; title?: string; instructions?: string };
}

/** The parts of an MCP tool the search reads (structurally an SDK Tool, no import needed). */
export interface ToolLike {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: { properties?: Record<string, unknown> };
  annotations?: { title?: string; readOnlyHint?: boolean; destructiveHint?: boolean };
}

/** The search document of a catalog tool offered by `upstream`. */
export function documentOf(tool: ToolLike, upstream: SearchDocument['upstream']): SearchDocument {
  const properties = tool.inputSchema?.properties ?? {};
  const parameters = Object.entries(properties).map(([name, schema]) => {
    const description = (schema as { description?: unknown } | null)?.description;
    return typeof description === 'string' ? { name, description } : { name };
  });
  const title = tool.title ?? tool.annotations?.title;
  return { name: tool.name, ...(title !== undefined && { title }), ...(tool.description !== undefined && { description: tool.description }), parameters, upstream };
}
