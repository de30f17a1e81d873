// Which view an HTTP path serves: the configured path serves the default view, and
// `<path>/<profile>` each profile. Anything else is not ours (404).

/** The view a request path asks for (`profile` undefined: the default), or undefined when no view lives there. */
export function viewAtPath(pathname: string, basePath: string, profiles: readonly string[]): { profile?: string } | undefined {
  if (pathname === basePath) return {};
  const prefix = basePath.endsWith('/') ? basePath : `${basePath}/`;
  if (!pathname.startsWith(prefix)) return undefined;
  const name = pathname.slice(prefix.length);
  return profiles.includes(name) ? { profile: name } : undefined;
}
