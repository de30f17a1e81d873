// Checks on policy, naming and profiles that span several keys: invalid globs, renames that
// cannot work, profiles naming unknown upstreams, upstreams that point at this very proxy.
// Runs on the unvalidated document, like checkUpstreamSet: values of the wrong type are left
// to the schema, and each problem carries the path of the key at fault.
import path from 'node:path';
import { isValidName, VALID_NAME_CHARS } from '../catalog/names.js';
import { compileFilter, globProblem } from '../catalog/policy.js';
import { isPlainMap, type PlainMap } from './document.js';
import { UPSTREAM_SECTIONS } from './normalize.js';
import type { ConfigPath, PathProblem } from './problems.js';

const KINDS = ['tools', 'prompts', 'resources'] as const;
const DEFAULT_MAX_LENGTH = 64;

/** Every place a policy section can be: [path, section], with `upstream` set for per-upstream ones. */
interface PolicyPlace {
  path: ConfigPath;
  policy: PlainMap;
  upstream?: string;
}

export function checkPolicies(document: unknown, configFile: string): PathProblem[] {
  if (!isPlainMap(document)) return [];
  const naming = isPlainMap(document.naming) ? document.naming : {};
  const maxLength = typeof naming.maxLength === 'number' ? naming.maxLength : DEFAULT_MAX_LENGTH;
  const upstreams = UPSTREAM_SECTIONS.flatMap((section) =>
    isPlainMap(document[section]) ? Object.entries(document[section] as PlainMap).map(([name, value]) => ({ section, name, value })) : [],
  );
  const places: PolicyPlace[] = [
    ...upstreams.filter((u) => isPlainMap(u.value)).map((u) => ({ path: [u.section, u.name], policy: u.value as PlainMap, upstream: u.name })),
    ...(isPlainMap(document.policy) ? [{ path: ['policy'], policy: document.policy }] : []),
    ...(isPlainMap(document.profiles)
      ? Object.entries(document.profiles)
          .filter(([, profile]) => isPlainMap(profile) && isPlainMap(profile.policy))
          .map(([name, profile]) => ({ path: ['profiles', name, 'policy'], policy: (profile as PlainMap).policy as PlainMap }))
      : []),
  ];

  return [
    ...checkSeparator(naming),
    ...places.flatMap((place) => checkGlobs(place)),
    ...places.flatMap((place) => checkRenames(place, maxLength, isPlainMap(document.policy) ? document.policy : {})),
    ...checkRenameTargets(places),
    ...checkProfiles(document, upstreams.map((u) => u.name)),
    ...checkToolSearchGlobs(document),
    ...upstreams.flatMap((u) => checkSelfReference(u.section, u.name, u.value, document, configFile)),
  ];
}

/** `toolSearch.pinned` globs, at the top level and in each profile. */
function checkToolSearchGlobs(document: PlainMap): PathProblem[] {
  const places: Array<[ConfigPath, unknown]> = [[['toolSearch'], document.toolSearch]];
  if (isPlainMap(document.profiles)) {
    for (const [name, profile] of Object.entries(document.profiles)) if (isPlainMap(profile)) places.push([['profiles', name, 'toolSearch'], profile.toolSearch]);
  }
  return places.flatMap(([at, section]) => {
    const pinned = isPlainMap(section) && Array.isArray(section.pinned) ? section.pinned : [];
    return pinned.flatMap((pattern, index) => {
      const problem = typeof pattern === 'string' ? globProblem(pattern) : undefined;
      return problem ? [{ path: [...at, 'pinned', index], message: `invalid glob pattern: ${problem}` }] : [];
    });
  });
}

function checkSeparator(naming: PlainMap): PathProblem[] {
  const separator = naming.separator;
  if (typeof separator !== 'string' || separator === '' || VALID_NAME_CHARS.test(separator)) return [];
  return [{ path: ['naming', 'separator'], message: 'could never appear in a valid tool name (letters, digits, `_` and `-` only): use e.g. "__" or "-"' }];
}

function sectionOf(place: PolicyPlace, kind: (typeof KINDS)[number]): PlainMap | undefined {
  const section = place.policy[kind];
  return isPlainMap(section) ? section : undefined;
}

function checkGlobs(place: PolicyPlace): PathProblem[] {
  const problems: PathProblem[] = [];
  for (const kind of KINDS) {
    const section = sectionOf(place, kind);
    for (const list of ['allow', 'block'] as const) {
      const patterns = section?.[list];
      if (!Array.isArray(patterns)) continue;
      patterns.forEach((pattern, index) => {
        if (typeof pattern !== 'string') return;
        const problem = globProblem(pattern);
        if (problem) problems.push({ path: [...place.path, kind, list, index], message: `invalid glob pattern: ${problem}` });
      });
    }
  }
  return problems;
}

/** A rename must give a valid name, of something its own section lets through, that the top-level policy does not block. */
function checkRenames(place: PolicyPlace, maxLength: number, topLevel: PlainMap): PathProblem[] {
  const problems: PathProblem[] = [];
  for (const kind of ['tools', 'prompts'] as const) {
    const section = sectionOf(place, kind);
    if (!section || !isPlainMap(section.rename)) continue;
    const passes = safeFilter(section);
    const topSection = place.upstream !== undefined && isPlainMap(topLevel[kind]) ? (topLevel[kind] as PlainMap) : undefined;
    const topPasses = topSection ? safeFilter(topSection) : () => true;
    for (const [from, to] of Object.entries(section.rename)) {
      if (typeof to !== 'string') continue;
      const at = [...place.path, kind, 'rename', from];
      if (!isValidName(to, maxLength)) {
        problems.push({ path: at, message: `${JSON.stringify(to)} is not a valid name: use 1 to ${maxLength} letters, digits, \`_\` or \`-\`` });
      } else if (!passes(from)) {
        problems.push({ path: at, message: `renames ${JSON.stringify(from)}, which this section's allow/block lists hide` });
      } else if (!topPasses(to)) {
        problems.push({ path: at, message: `renames onto ${JSON.stringify(to)}, which the top-level \`policy.${kind}\` blocks` });
      }
    }
  }
  return problems;
}

/** Two renames onto one exposed name would always collide: refused, naming both. */
function checkRenameTargets(places: PolicyPlace[]): PathProblem[] {
  const problems: PathProblem[] = [];
  for (const kind of ['tools', 'prompts'] as const) {
    const owners = new Map<string, ConfigPath>();
    for (const place of places.filter((p) => p.upstream !== undefined)) {
      const rename = sectionOf(place, kind)?.rename;
      if (!isPlainMap(rename)) continue;
      for (const [from, to] of Object.entries(rename)) {
        if (typeof to !== 'string') continue;
        const at = [...place.path, kind, 'rename', from];
        const owner = owners.get(to);
        if (owner) problems.push({ path: at, message: `renames onto ${JSON.stringify(to)}, already taken by ${owner.join('.')}` });
        else owners.set(to, at);
      }
    }
  }
  return problems;
}

function checkProfiles(document: PlainMap, upstreamNames: string[]): PathProblem[] {
  const problems: PathProblem[] = [];
  const profiles = isPlainMap(document.profiles) ? document.profiles : {};
  for (const [name, profile] of Object.entries(profiles)) {
    if (!isPlainMap(profile) || !Array.isArray(profile.upstreams)) continue;
    profile.upstreams.forEach((upstream, index) => {
      if (typeof upstream === 'string' && !upstreamNames.includes(upstream)) {
        problems.push({ path: ['profiles', name, 'upstreams', index], message: `no upstream named ${JSON.stringify(upstream)} (upstreams: ${upstreamNames.join(', ')})` });
      }
    });
  }
  const server = isPlainMap(document.server) ? document.server : {};
  const known = Object.keys(profiles);
  const unknownProfile = (name: string) => `no profile named ${JSON.stringify(name)} (${known.length ? `profiles: ${known.join(', ')}` : 'none defined'})`;
  if (typeof server.defaultProfile === 'string' && !Object.hasOwn(profiles, server.defaultProfile)) {
    problems.push({ path: ['server', 'defaultProfile'], message: unknownProfile(server.defaultProfile) });
  }
  // An API key bound to profiles may only name profiles that exist.
  const apiKeys = isPlainMap(server.auth) && Array.isArray(server.auth.apiKeys) ? server.auth.apiKeys : [];
  apiKeys.forEach((key, index) => {
    if (!isPlainMap(key) || !Array.isArray(key.profiles)) return;
    key.profiles.forEach((profile, at) => {
      if (typeof profile === 'string' && !Object.hasOwn(profiles, profile)) {
        problems.push({ path: ['server', 'auth', 'apiKeys', index, 'profiles', at], message: unknownProfile(profile) });
      }
    });
  });
  return problems;
}

/**
 * An upstream that launches mcproxy on this same file, or whose URL is this proxy's own
 * endpoint, is the simplest loop: caught here, before anything starts (longer loops are
 * refused at run time, see session/chain.ts).
 */
function checkSelfReference(section: string, name: string, value: unknown, document: PlainMap, configFile: string): PathProblem[] {
  if (!isPlainMap(value)) return [];
  if (Array.isArray(value.args)) {
    const args = value.args.filter((arg): arg is string => typeof arg === 'string');
    const cwd = typeof value.cwd === 'string' ? path.resolve(path.dirname(configFile), value.cwd) : process.cwd();
    const configArg = args.flatMap((arg, i) => (arg === '--config' || arg === '-c' ? [args[i + 1]] : arg.startsWith('--config=') ? [arg.slice(9)] : []))[0];
    if (configArg !== undefined && path.resolve(cwd, configArg) === configFile) {
      return [{ path: [section, name], message: 'this upstream runs mcproxy on this same config file: the proxy would be its own upstream' }];
    }
  }
  if (typeof value.url === 'string') {
    const server = isPlainMap(document.server) ? document.server : {};
    const own = `http://${server.host ?? '127.0.0.1'}:${server.port ?? 8808}${server.path ?? '/mcp'}`;
    let url: URL | undefined;
    try {
      url = new URL(value.url);
    } catch {
      return []; // the schema says what is wrong with it
    }
    const pathname = url.pathname.replace(/\/$/, '');
    const ownPath = String(server.path ?? '/mcp').replace(/\/$/, '');
    if (server.transport === 'http' && url.origin === originOf(own) && (pathname === ownPath || pathname.startsWith(`${ownPath}/`))) {
      return [{ path: [section, name, 'url'], message: 'this is the URL this proxy serves: the proxy would be its own upstream' }];
    }
  }
  return [];
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** A filter that treats an invalid glob as matching nothing (checkGlobs reports it). */
function safeFilter(section: PlainMap): (name: string) => boolean {
  const strings = (list: unknown) => (Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string' && globProblem(p) === undefined) : undefined);
  return compileFilter({ allow: strings(section.allow), block: strings(section.block) });
}
