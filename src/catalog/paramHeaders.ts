// `Mcp-Param-*` headers (2026-07-28 Streamable HTTP): a tool's input schema may mark primitive
// properties with `x-mcp-header: <Name>`; a call then carries each such argument's value in an
// `Mcp-Param-<Name>` header too, so that HTTP infrastructure can route on it without reading the
// body. Pure functions: find the declarations, write the headers for a call, check a call's
// headers against its body.

const PREFIX = 'Mcp-Param-';
/** RFC 9110 token characters: what a header name may be made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** `number` is left out on purpose: the spec allows only these. */
const PRIMITIVE_TYPES = new Set(['string', 'integer', 'boolean']);
/** Values outside plain visible ASCII (or that look like the wrapping itself) travel as `=?base64?…?=`. */
const BASE64_OPEN = '=?base64?';
const BASE64_CLOSE = '?=';
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** One argument mirrored into a header: where it sits in `arguments`, the header's name, its JSON type. */
export interface ParamHeader {
  path: string[];
  name: string;
  type: string;
}

/** What a tool declares: its mirrored arguments, or why the declaration is invalid (the spec says: exclude the tool). */
export type ParamHeaderDeclarations = { headers: ParamHeader[] } | { invalid: string };

/**
 * The `x-mcp-header` declarations of an input schema. They may sit on properties reachable
 * through `properties` alone, at any depth, on primitive types, with unique (case-insensitive)
 * token names; one anywhere else makes the whole declaration invalid.
 */
export function paramHeaderDeclarations(inputSchema: unknown): ParamHeaderDeclarations {
  const headers: ParamHeader[] = [];
  const seen = new Map<string, string>();
  const walk = (node: unknown, path: string[], reachable: boolean): string | undefined => {
    if (node === null || typeof node !== 'object') return undefined;
    const schema = node as Record<string, unknown>;
    const where = path.length === 0 ? 'the schema root' : path.join('.');
    if ('x-mcp-header' in schema) {
      const name = schema['x-mcp-header'];
      if (!reachable || path.length === 0) return `x-mcp-header on ${where}, which is not reached through properties alone`;
      if (typeof name !== 'string' || !TOKEN.test(name)) return `x-mcp-header ${JSON.stringify(name)} on ${where} is not a header name`;
      const type = typeof schema.type === 'string' ? schema.type : '';
      if (!PRIMITIVE_TYPES.has(type)) return `x-mcp-header ${name} on ${where}, which is not a string, integer or boolean`;
      const earlier = seen.get(name.toLowerCase());
      if (earlier !== undefined) return `x-mcp-header ${name} is declared twice (also as ${earlier})`;
      seen.set(name.toLowerCase(), name);
      headers.push({ path, name, type });
    }
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'properties' && value !== null && typeof value === 'object') {
        for (const [property, child] of Object.entries(value)) {
          const problem = walk(child, [...path, property], reachable);
          if (problem) return problem;
        }
      } else if (value !== null && typeof value === 'object' && key !== 'x-mcp-header') {
        // Every other subschema position (items, anyOf, $defs, ...) is off the allowed path.
        for (const child of Array.isArray(value) ? value : [value]) {
          const problem = walk(child, [...path, `<${key}>`], false);
          if (problem) return problem;
        }
      }
    }
    return undefined;
  };
  const problem = walk(inputSchema, [], true);
  return problem ? { invalid: problem } : { headers };
}

/** The headers a call with these arguments carries: absent and null arguments get none. */
export function paramHeadersFor(declarations: readonly ParamHeader[], args: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const declaration of declarations) {
    const text = primitiveText(valueAt(args, declaration.path));
    if (text !== undefined) headers[`${PREFIX}${declaration.name}`] = encodeValue(text);
  }
  return headers;
}

/** A header the body contradicts, or undefined when they agree. */
export interface ParamHeaderMismatch {
  header: string;
  problem: string;
}

/**
 * Checks a call's headers against its arguments: every argument with a value needs its header,
 * carrying the same value (numbers compare as numbers); a header without a value in the body
 * is ignored. `header` looks a header up by name, case-insensitively.
 */
export function paramHeaderMismatch(declarations: readonly ParamHeader[], args: unknown, header: (name: string) => string | undefined): ParamHeaderMismatch | undefined {
  for (const declaration of declarations) {
    const name = `${PREFIX}${declaration.name}`;
    const value = valueAt(args, declaration.path);
    const expected = primitiveText(value);
    if (expected === undefined) continue;
    const sent = header(name);
    if (sent === undefined) return { header: name, problem: `the body carries ${declaration.path.join('.')}=${JSON.stringify(value)} but the ${name} header is absent` };
    const decoded = decodeValue(sent);
    if (decoded === undefined) return { header: name, problem: `the ${name} header is not valid Base64 inside =?base64?…?=` };
    const same = typeof value === 'number' && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(decoded) ? Number(decoded) === value : decoded === expected;
    if (!same) return { header: name, problem: `the ${name} header says ${JSON.stringify(decoded)} but the body carries ${declaration.path.join('.')}=${JSON.stringify(value)}` };
  }
  return undefined;
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** A primitive's header text: strings as they are, numbers in decimal, booleans lowercase; nothing else. */
function primitiveText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number' && Number.isFinite(value) && (!Number.isInteger(value) || Number.isSafeInteger(value))) return String(value);
  return undefined;
}

function encodeValue(text: string): string {
  const plain = text.length > 0 && text === text.trim() && /^[\t\x20-\x7e]*$/.test(text) && !(text.startsWith(BASE64_OPEN) && text.endsWith(BASE64_CLOSE));
  return plain ? text : `${BASE64_OPEN}${Buffer.from(text, 'utf8').toString('base64')}${BASE64_CLOSE}`;
}

/** A header value as the client meant it; undefined for a malformed Base64 wrapping. */
function decodeValue(value: string): string | undefined {
  if (!(value.startsWith(BASE64_OPEN) && value.endsWith(BASE64_CLOSE) && value.length >= BASE64_OPEN.length + BASE64_CLOSE.length)) return value;
  const encoded = value.slice(BASE64_OPEN.length, value.length - BASE64_CLOSE.length);
  if (!CANONICAL_BASE64.test(encoded)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(encoded, 'base64'));
  } catch {
    return undefined;
  }
}
