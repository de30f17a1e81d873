// The pure parts of policy: glob filters, renames, descriptions and pinned arguments, applied
// to one candidate at a time. The catalog runs them per upstream (on original names) and then
// per view (top-level `policy:`, then the profile's) on exposed names.
import picomatch from 'picomatch';

export interface FilterSection {
  allow?: string[];
  block?: string[];
}

/** Pinned argument values, by argument name. */
export type PinnedArguments = Record<string, unknown>;

// Names and URIs are matched as plain strings: `*` crosses `/` and dots need no escaping.
const GLOB_OPTIONS: picomatch.PicomatchOptions = { dot: true, bash: true, nonegate: true };

/** A glob's syntax problem, or undefined when it compiles. */
export function globProblem(pattern: string): string | undefined {
  try {
    picomatch.makeRe(pattern, { ...GLOB_OPTIONS, strictBrackets: true });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Whether `name` passes a section's allow and block lists: block wins, no allow list allows all. */
export function compileFilter(section: FilterSection | undefined): (name: string) => boolean {
  if (!section?.allow && !section?.block) return () => true;
  const allowed = section.allow ? picomatch(section.allow, GLOB_OPTIONS) : () => true;
  const blocked = section.block && section.block.length > 0 ? picomatch(section.block, GLOB_OPTIONS) : () => false;
  return (name) => allowed(name) && !blocked(name);
}

/**
 * A tool's input schema without its pinned arguments: gone from `properties` and `required`,
 * so a model never sees (and cannot set) them.
 */
export function pinInputSchema<S extends { properties?: Record<string, unknown>; required?: string[] }>(schema: S, pinned: PinnedArguments): S {
  const names = Object.keys(pinned);
  if (names.length === 0) return schema;
  const result = { ...schema };
  if (schema.properties) result.properties = Object.fromEntries(Object.entries(schema.properties).filter(([key]) => !names.includes(key)));
  if (schema.required) result.required = schema.required.filter((key) => !names.includes(key));
  return result;
}

/** Pinned arguments the schema never declared: likely a typo in the config, worth a warning. */
export function unknownPinned(schema: { properties?: Record<string, unknown> }, pinned: PinnedArguments): string[] {
  return Object.keys(pinned).filter((name) => !(name in (schema.properties ?? {})));
}

/** The call's arguments with the pinned values forced in: a client cannot override them. */
export function injectPinned(args: unknown, pinned: PinnedArguments | undefined): Record<string, unknown> | undefined {
  if (!pinned) return args as Record<string, unknown> | undefined;
  const given = args !== null && typeof args === 'object' && !Array.isArray(args) ? (args as Record<string, unknown>) : {};
  return { ...given, ...pinned };
}
