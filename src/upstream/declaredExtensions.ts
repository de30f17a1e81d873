// Protocol extensions (`capabilities.extensions`, e.g. MCP Apps' `io.modelcontextprotocol/ui`)
// the upstreams declared, remembered for the process by upstream name. The proxy declares them
// to its clients beside its own capabilities; a client's own extensions reach the upstreams with
// the rest of its capabilities. A client is told its capabilities before its upstreams connect,
// so it hears what earlier connections found: the first session after a start hears none.
import type { ServerCapabilities } from '@modelcontextprotocol/client';

type Extensions = NonNullable<ServerCapabilities['extensions']>;

const declared = new Map<string, Extensions>();

/** What an upstream declared when it connected (nothing: forgotten). */
export function noteExtensions(upstream: string, capabilities: ServerCapabilities | undefined): void {
  const extensions = capabilities?.extensions;
  if (extensions && Object.keys(extensions).length > 0) declared.set(upstream, extensions);
  else declared.delete(upstream);
}

/**
 * The capabilities entry for the extensions of these upstreams, in config order: each extension
 * once, with the settings of the first upstream that declared it; {} when none declared any.
 */
export function extensionsOf(upstreams: ReadonlyArray<{ name: string }>): { extensions?: Extensions } {
  const merged: Extensions = {};
  for (const { name } of upstreams) {
    for (const [id, settings] of Object.entries(declared.get(name) ?? {})) if (!(id in merged)) merged[id] = settings;
  }
  return Object.keys(merged).length > 0 ? { extensions: merged } : {};
}
