// Client server entries → mcproxy upstreams. Secrets (tokens in env, headers and args) are
// replaced by ${VAR} references; their values are kept aside, never written to the config.
import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'yaml';
import { isPlainMap, type PlainMap } from '../config/document.js';
import { NAMESPACE_PATTERN } from '../config/schema.js';
import { launchesMcproxy, type FoundConfig } from './clients.js';

export interface Secret {
  variable: string;
  /** The value, for the client's env only; never printed or written into mcproxy.yaml. */
  value: string;
  /** Where it was: "github env GITHUB_TOKEN". */
  origin: string;
}

export interface Conversion {
  upstreams: Record<string, PlainMap>;
  /** Which client config each upstream came from. */
  sources: Record<string, string[]>;
  secrets: Secret[];
  /** Variables that stand for VS Code input prompts: no value is known, the user sets them. */
  inputs: string[];
  /** Servers or keys that were left out, and why. */
  notes: string[];
}

const SECRET_NAME = /key|token|secret|passw|pwd|auth|credential|cookie|session|private/i;
const TOKEN_PREFIX = /^(sk-|sk_|pk_|rk_|ghp_|gho_|ghs_|github_pat_|glpat-|xox[abpr]-|AKIA|AIza|ya29\.|eyJ)/;

/** A value that looks like a credential whatever its key is called. */
function looksLikeToken(value: string): boolean {
  if (TOKEN_PREFIX.test(value)) return true;
  return value.length >= 24 && /^[A-Za-z0-9_\-+=.]+$/.test(value) && /[A-Za-z]/.test(value) && /\d/.test(value);
}

export function convertServers(found: readonly FoundConfig[]): Conversion {
  const conversion: Conversion = { upstreams: {}, sources: {}, secrets: [], inputs: [], notes: [] };
  for (const config of found) {
    for (const [originalName, server] of Object.entries(config.servers)) {
      if (launchesMcproxy(originalName, server)) continue;
      const where = `${config.client.id} (${config.file})`;
      const secrets: Secret[] = [];
      const upstream = toUpstream(originalName, server, secrets, conversion, where);
      if (!upstream) continue;
      const name = placeUpstream(conversion, sanitizeName(originalName), upstream, config.client.id);
      (conversion.sources[name] ??= []).push(where);
      for (const secret of secrets) {
        if (!conversion.secrets.some((known) => known.variable === secret.variable)) conversion.secrets.push(secret);
      }
    }
  }
  return conversion;
}

function toUpstream(name: string, server: PlainMap, secrets: Secret[], conversion: Conversion, where: string): PlainMap | undefined {
  const upstream: PlainMap = {};
  // Gemini CLI spells a Streamable HTTP server's address `httpUrl` (its `url` is SSE); Windsurf `serverUrl`.
  const url = [server.httpUrl, server.url, server.serverUrl].find((value): value is string => typeof value === 'string');
  if (typeof server.command === 'string') {
    upstream.command = server.command;
    const args = Array.isArray(server.args) ? server.args.map(String) : [];
    if (args.length) upstream.args = args.map((arg, index) => secretArg(name, args, index, secrets, conversion) ?? arg);
    if (isPlainMap(server.env) && Object.keys(server.env).length) upstream.env = mapSecrets(name, 'env', server.env, secrets, conversion, true);
    if (typeof server.cwd === 'string') upstream.cwd = server.cwd;
  } else if (url !== undefined) {
    upstream.url = url;
    if (server.type === 'sse' || server.transport === 'sse') upstream.transport = 'sse';
    if (typeof server.httpUrl === 'string') upstream.transport = 'streamable-http';
    if (isPlainMap(server.headers) && Object.keys(server.headers).length) upstream.headers = mapSecrets(name, 'header', server.headers, secrets, conversion, false);
  } else {
    conversion.notes.push(`${name} from ${where}: skipped, it has neither \`command\` nor \`url\``);
    return undefined;
  }
  if (server.disabled === true || server.enabled === false) upstream.enabled = false;
  if (server.envFile !== undefined) conversion.notes.push(`${name} from ${where}: its envFile was not imported; set those variables in mcproxy's environment`);
  return upstream;
}

/** env or headers with credential values replaced by ${VAR} ("Bearer ${VAR}" keeps its scheme). */
function mapSecrets(server: string, kind: 'env' | 'header', values: PlainMap, secrets: Secret[], conversion: Conversion, envNames: boolean): PlainMap {
  const out: PlainMap = {};
  for (const [key, raw] of Object.entries(values)) {
    const value = String(raw);
    const [, scheme = '', credential = value] = /^(Bearer |Basic |Token )?(.*)$/s.exec(value) ?? [];
    if (!credential || credential.includes('${') || !(SECRET_NAME.test(key) || looksLikeToken(credential))) {
      out[key] = inputReference(value, conversion, server);
      continue;
    }
    const preferred = envNames ? variableName(key) : qualifiedName(server, key);
    const variable = claimVariable(preferred, qualifiedName(server, key), credential, secrets, conversion);
    secrets.push({ variable, value: credential, origin: `${server} ${kind} ${key}` });
    out[key] = `${scheme}\${${variable}}`;
  }
  return out;
}

/** An arg that is a credential, or the value after --token/--api-key/...; undefined otherwise. */
function secretArg(server: string, args: string[], index: number, secrets: Secret[], conversion: Conversion): string | undefined {
  const arg = args[index]!;
  const afterFlag = index > 0 && /^--?[\w-]*(key|token|secret|passw)/i.test(args[index - 1]!);
  const inline = /^(--?[\w-]*(?:key|token|secret|passw)[\w-]*=)(.+)$/i.exec(arg);
  const credential = inline ? inline[2]! : arg;
  if (!inline && !afterFlag && !looksLikeToken(arg)) return undefined;
  if (credential.includes('${')) return undefined;
  const variable = claimVariable(qualifiedName(server, 'secret'), qualifiedName(server, `secret_${index}`), credential, secrets, conversion);
  secrets.push({ variable, value: credential, origin: `${server} args[${index}]` });
  return `${inline ? inline[1] : ''}\${${variable}}`;
}

/** A variable name not yet used for a different value. */
function claimVariable(preferred: string, fallback: string, value: string, pending: Secret[], conversion: Conversion): string {
  for (const candidate of [preferred, fallback]) {
    const holder = [...conversion.secrets, ...pending].find((secret) => secret.variable === candidate);
    if (!holder || holder.value === value) return candidate;
  }
  let counter = 2;
  while ([...conversion.secrets, ...pending].some((secret) => secret.variable === `${fallback}_${counter}`)) counter++;
  return `${fallback}_${counter}`;
}

/** VS Code's ${input:id} prompts become ${ID} environment references. */
function inputReference(value: string, conversion: Conversion, server: string): string {
  return value.replace(/\$\{input:([^}]+)\}/g, (_match, id: string) => {
    const variable = variableName(id);
    if (!conversion.inputs.includes(variable)) conversion.inputs.push(variable);
    conversion.notes.push(`${server}: VS Code input \`${id}\` became \${${variable}:-} (empty until you set ${variable} in mcproxy's environment)`);
    // With a default, one unset prompt value does not stop mcproxy from starting.
    return `\${${variable}:-}`;
  });
}

function variableName(text: string): string {
  const name = text.toUpperCase().replace(/[^A-Z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[A-Z_]/.test(name) ? name : `_${name}`;
}

/** SERVER_KEY, without saying the server twice: context7's CONTEXT7_API_KEY stays CONTEXT7_API_KEY. */
function qualifiedName(server: string, key: string): string {
  const prefix = variableName(server);
  const rest = variableName(key);
  return rest === prefix || rest.startsWith(`${prefix}_`) ? rest : variableName(`${prefix}_${rest}`);
}

function sanitizeName(name: string): string {
  return NAMESPACE_PATTERN.test(name) ? name : name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'server';
}

/** Same name and same server in two clients: one upstream. Same name, different server: the second is suffixed. */
function placeUpstream(conversion: Conversion, name: string, upstream: PlainMap, clientId: string): string {
  const existing = conversion.upstreams[name];
  if (existing === undefined || isDeepStrictEqual(existing, upstream)) {
    conversion.upstreams[name] = upstream;
    return name;
  }
  let candidate = `${name}-${clientId}`;
  for (let counter = 2; conversion.upstreams[candidate] !== undefined && !isDeepStrictEqual(conversion.upstreams[candidate], upstream); counter++) {
    candidate = `${name}-${clientId}-${counter}`;
  }
  conversion.upstreams[candidate] = upstream;
  return candidate;
}

/** mcproxy.yaml for the conversion: where each server came from, and no secret values. */
export function mcproxyYaml(conversion: Conversion, envExampleName: string): string {
  const header = [
    '# Written by `mcproxy init` from the MCP client configs on this machine.',
    ...Object.entries(conversion.sources).map(([name, sources]) => `#   ${name}: ${sources.join(', ')}`),
    ...(conversion.secrets.length + conversion.inputs.length
      ? [
          `# Secrets became \${VAR} references (names in ${envExampleName}). Set them in the environment of`,
          '# the client that starts mcproxy; `mcproxy init --install CLIENT` puts them in its config.',
        ]
      : []),
  ];
  return `${header.join('\n')}\n${stringify({ upstreams: conversion.upstreams }, { lineWidth: 0 })}`;
}

/** The variables to set, with where each came from; no values. */
export function envExample(conversion: Conversion): string {
  const lines = ['# Variables mcproxy.yaml refers to. Values are not written here: fill them in where mcproxy runs.'];
  for (const secret of conversion.secrets) lines.push(`# ${secret.origin}`, `${secret.variable}=`);
  for (const input of conversion.inputs) lines.push('# a VS Code input prompt: no value was stored', `${input}=`);
  return lines.join('\n') + '\n';
}
