// Resource URIs a client can always read back through the proxy. When two upstreams offer the
// same URI, the later one's is exposed as `mcproxy://<upstream>/<percent-encoded URI>`: still
// a valid URI, and it names its owner. URIs inside results are rewritten the same way.

/** The scheme of namespaced URIs (exported: the fast lane looks for it before it rewrites a result). */
export const NAMESPACED_SCHEME = 'mcproxy://';

export function namespacedUri(upstream: string, uri: string): string {
  return `${NAMESPACED_SCHEME}${encodeURIComponent(upstream)}/${encodeURIComponent(uri)}`;
}

export function parseNamespacedUri(uri: string): { upstream: string; original: string } | undefined {
  if (!uri.startsWith(NAMESPACED_SCHEME)) return undefined;
  const rest = uri.slice(NAMESPACED_SCHEME.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  try {
    return { upstream: decodeURIComponent(rest.slice(0, slash)), original: decodeURIComponent(rest.slice(slash + 1)) };
  } catch {
    return undefined; // malformed percent-encoding: not one of ours
  }
}

type Json = unknown;

/**
 * A copy of a result with every resource URI in it passed through `expose`: resource links
 * and embedded resources in tool results and prompt messages, and `contents` of a read.
 * Anything else (structuredContent, text) is left as the upstream wrote it.
 */
export function rewriteResultUris(result: Json, expose: (uri: string) => string): Json {
  if (Array.isArray(result)) return result.map((item) => rewriteResultUris(item, expose));
  if (result === null || typeof result !== 'object') return result;
  const object = result as Record<string, Json>;
  const copy: Record<string, Json> = {};
  for (const [key, value] of Object.entries(object)) {
    if (key === 'structuredContent' || key === '_meta') copy[key] = value;
    else if (key === 'uri' && typeof value === 'string' && isResourceShaped(object)) copy[key] = expose(value);
    else copy[key] = rewriteResultUris(value, expose);
  }
  return copy;
}

/** A resource link, an embedded resource's `resource`, or a read's content item: all have `uri` and one of these. */
function isResourceShaped(object: Record<string, Json>): boolean {
  return object.type === 'resource_link' || 'text' in object || 'blob' in object || 'mimeType' in object;
}
