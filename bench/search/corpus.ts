// The retrieval bench's corpus: bench/search/tools.json (real servers' tools/list) as the
// proxy would expose it (<upstream>__<tool>), and the labelled queries.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { documentOf, type SearchDocument, type ToolLike } from '../../src/toolSearch/documents.js';

const HERE = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'bench', 'search');

export interface Snapshot {
  upstream: string;
  package: string;
  version: string;
  serverInfo?: { name?: string; title?: string; version?: string };
  instructions?: string;
  tools: ToolLike[];
}

export function snapshots(): Snapshot[] {
  return (JSON.parse(readFileSync(path.join(HERE, 'tools.json'), 'utf8')) as { servers: Snapshot[] }).servers;
}

/** Every tool under its exposed name, with what the index knows of its upstream. */
export function exposedTools(servers = snapshots()): { tool: ToolLike; document: SearchDocument }[] {
  return servers.flatMap((server) =>
    server.tools.map((tool) => {
      const exposed = { ...tool, name: `${server.upstream}__${tool.name}` };
      const upstream = { name: server.upstream, namespace: server.upstream, title: server.serverInfo?.title ?? server.serverInfo?.name, instructions: server.instructions };
      return { tool: exposed, document: documentOf(exposed, upstream) };
    }),
  );
}

export interface LabelledQuery {
  query: string;
  relevant: string[];
}

export function labelledQueries(): LabelledQuery[] {
  return (JSON.parse(readFileSync(path.join(HERE, 'queries.json'), 'utf8')) as { queries: LabelledQuery[] }).queries;
}
