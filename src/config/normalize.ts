// The upstream set: checks that span several upstreams, and the final normalized ProxyConfig.
import path from 'node:path';
import { isPlainMap } from './document.js';
import { dataDir } from './locate.js';
import { packageEntry } from './packages.js';
import type { ConfigPath, PathProblem } from './problems.js';
import { normalizeVcon } from './vconSchema.js';
import { NAMESPACE_PATTERN, NAMESPACE_RULE, type ProxyConfig, type RawConfig, type UpstreamConfig } from './schema.js';

/** These sections hold upstreams by name; `mcpServers` is Claude Desktop's spelling, `servers` VS Code's. */
export const UPSTREAM_SECTIONS = ['upstreams', 'mcpServers', 'servers'] as const;

/**
 * Names and namespaces across all upstreams. Runs on the unvalidated document so these are
 * reported together with schema problems; values of the wrong type are left to the schema.
 */
export function checkUpstreamSet(document: unknown, describeValueAt: (path: ConfigPath) => string): PathProblem[] {
  if (!isPlainMap(document)) return [];
  const entries = UPSTREAM_SECTIONS.flatMap((section) => {
    const servers = document[section];
    return isPlainMap(servers) ? Object.entries(servers).map(([name, value]) => ({ section, name, value })) : [];
  });
  if (entries.length === 0) {
    return [{ path: [], message: 'no upstreams configured: add an `upstreams:` (or `mcpServers:`) map with at least one server' }];
  }

  const problems: PathProblem[] = [];
  const seenNames = new Set<string>();
  const namespaceOwners = new Map<string, string>();
  for (const { section, name, value } of entries) {
    if (seenNames.has(name)) {
      problems.push({ path: [section, name], message: `\`${name}\` is defined in another section too: upstream names must be unique` });
      continue;
    }
    seenNames.add(name);
    // A disabled upstream never reaches the proxy, so it can't clash.
    if (!isPlainMap(value) || value.enabled === false) continue;

    const explicit = value.namespace;
    if (explicit !== undefined && typeof explicit !== 'string') continue;
    if (explicit === undefined && !NAMESPACE_PATTERN.test(name)) {
      problems.push({
        path: [section, name],
        message: `this name becomes the tool namespace but MCP tool names allow ${NAMESPACE_RULE}: set \`namespace:\``,
      });
      continue;
    }

    const namespace = explicit ?? name;
    if (namespace === '') continue; // several unprefixed upstreams are fine; tool clashes are resolved later
    const owner = namespaceOwners.get(namespace);
    if (owner === undefined) {
      namespaceOwners.set(namespace, name);
    } else if (explicit === undefined) {
      problems.push({ path: [section, name], message: `its namespace \`${name}\` is already used by upstream \`${owner}\`: set a different \`namespace:\`` });
    } else {
      const namespacePath = [section, name, 'namespace'];
      problems.push({ path: namespacePath, message: `${describeValueAt(namespacePath)} is already used by upstream \`${owner}\`: namespaces must be unique` });
    }
  }
  return problems;
}

/** `package:` upstreams whose package cannot be found, each with how to get it. */
export function checkPackages(raw: RawConfig, file: string): PathProblem[] {
  return UPSTREAM_SECTIONS.flatMap((section) =>
    Object.entries(raw[section] ?? {}).flatMap(([name, upstream]) => {
      if (!upstream.enabled || !('package' in upstream)) return [];
      try {
        packageEntry(upstream.package, path.dirname(file));
        return [];
      } catch (error) {
        return [{ path: [section, name, 'package'], message: (error as Error).message }];
      }
    }),
  );
}

/**
 * The validated document as the rest of the proxy reads it. `file` must be absolute;
 * `envReferences` are the variables the file refers to as `${VAR}`, which stdio children do not
 * inherit unless asked to by name.
 */
export function normalizeConfig(raw: RawConfig, file: string, envReferences: readonly string[] = []): ProxyConfig {
  const folder = path.dirname(file);
  const upstreams = UPSTREAM_SECTIONS.flatMap((section) => Object.entries(raw[section] ?? {}))
    .filter(([, upstream]) => upstream.enabled)
    .map(([name, upstream]) => normalizeUpstream(name, upstream, folder))
    .map((upstream) => ('command' in upstream ? { ...upstream, inheritEnv: [...raw.inheritEnv, ...upstream.inheritEnv], withholdEnv: [...envReferences] } : upstream))
    .map((upstream) => ('url' in upstream ? { ...upstream, tokenStore: { dir: path.join(dataDir(), 'oauth'), key: raw.security.tokenKey } } : upstream));
  const vcon = normalizeVcon(raw.vcon, folder);
  const logFile = raw.logging.file === undefined ? undefined : path.resolve(folder, raw.logging.file);
  return {
    file,
    server: raw.server,
    naming: raw.naming,
    logging: { ...raw.logging, ...(logFile !== undefined && { file: logFile }) },
    security: { ...raw.security, pins: path.resolve(folder, raw.security.pins) },
    upstreams,
    policy: raw.policy ?? {},
    profiles: raw.profiles ?? {},
    toolSearch: raw.toolSearch ?? {},
    ...(vcon && { vcon }),
    ...(raw.telemetry && { telemetry: raw.telemetry }),
  };
}

type RawUpstream = NonNullable<RawConfig['upstreams']>[string];

function normalizeUpstream(name: string, raw: RawUpstream, folder: string): UpstreamConfig {
  if ('package' in raw) {
    // checkPackages() has made sure it resolves.
    const { package: packageName, ...rest } = raw;
    return normalizeUpstream(name, { ...rest, command: process.execPath, args: [packageEntry(packageName, folder), ...rest.args] }, folder);
  }
  const upstream = { ...raw, name, namespace: raw.namespace ?? name };
  // Relative paths in the file mean "next to the file"; no cwd means the child inherits ours.
  if ('command' in upstream && upstream.cwd !== undefined) upstream.cwd = path.resolve(folder, upstream.cwd);
  return upstream;
}
