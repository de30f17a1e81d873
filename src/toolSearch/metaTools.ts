// The two tools search mode lists in place of the catalog: their names, descriptions and
// input schemas, as plain data.

export const SEARCH_TOOLS = 'search_tools';
export const CALL_TOOL = 'call_tool';

/** Longest query search_tools takes, in characters: a model pasting a document gets told. */
export const MAX_QUERY_LENGTH = 1000;

export function searchToolsTool(maxResults: number, toolCount: number) {
  return {
    name: SEARCH_TOOLS,
    title: 'Search tools',
    description:
      `Finds tools for a task among the ${toolCount} tools this server offers, which are not all listed. ` +
      'Describe what you want to do in a few words ("add two numbers", "delete a folder"). Returns the best ' +
      "matches, each with its name, description, input schema and annotations; call one with call_tool.",
    inputSchema: {
      type: 'object' as const,
      properties: {
        query: { type: 'string', minLength: 1, maxLength: MAX_QUERY_LENGTH, description: 'What you want to do, in plain words.' },
        limit: { type: 'integer', minimum: 1, maximum: maxResults, description: `How many tools to return (at most ${maxResults}, the default).` },
      },
      required: ['query'],
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  };
}

export function callToolTool() {
  return {
    name: CALL_TOOL,
    title: 'Call a tool',
    description: 'Calls a tool that search_tools found, by its exact name, with arguments that match its input schema.',
    inputSchema: {
      type: 'object' as const,
      properties: {
        name: { type: 'string', minLength: 1, description: 'The tool name, exactly as search_tools gave it.' },
        arguments: { type: 'object', description: "The tool's arguments, as its input schema says.", additionalProperties: true },
      },
      required: ['name'],
    },
  };
}
