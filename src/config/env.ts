// Environment variable references in config values.
//
// Syntax (a deliberately small, shell-like subset):
//   ${NAME}             the value of NAME. Unset is a problem: better to refuse to start than to
//                       start with an empty token. Set-but-empty gives "".
//   ${NAME:-fallback}   the value of NAME, or the literal `fallback` when NAME is unset or empty.
//   $${                 escape: the literal text `${` (so `$${HOME}` stays `${HOME}`).
//   $NAME               left alone: unbraced `$` is common in args such as "$1" or regexes.
// NAME is [A-Za-z_][A-Za-z0-9_]*. The fallback is plain text up to the first `}` (no nesting).
// Only string values are expanded, never map keys, and expansion is single-pass: a variable's
// value that itself contains `${...}` is used as is.
import type { ConfigPath, PathProblem } from './problems.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/** A string value that was built from environment variables; its value must never be shown. */
export interface EnvExpansion {
  path: ConfigPath;
  variables: string[];
}

export interface ExpandedDocument {
  /** A copy of the input with references replaced (a missing variable becomes ""). */
  value: unknown;
  problems: PathProblem[];
  expansions: EnvExpansion[];
}

/** Expands references in every string value of a parsed document (maps, lists, scalars). */
export function expandEnv(document: unknown, env: Environment): ExpandedDocument {
  const problems: PathProblem[] = [];
  const expansions: EnvExpansion[] = [];

  const visit = (value: unknown, path: ConfigPath): unknown => {
    if (typeof value === 'string') {
      const result = expandString(value, env);
      for (const message of result.problems) problems.push({ path, message });
      if (result.variables.length > 0) expansions.push({ path, variables: result.variables });
      return result.text;
    }
    if (Array.isArray(value)) return value.map((item, index) => visit(item, [...path, index]));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, visit(item, [...path, key])]));
    }
    return value;
  };

  return { value: visit(document, []), problems, expansions };
}

export interface ExpandedString {
  text: string;
  /** Every variable referenced, used or not (a fallback still says "this came from the env"). */
  variables: string[];
  problems: string[];
}

// `$${` (escape), `${...}` (reference), or a `${` that is never closed.
const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const REFERENCE_BODY = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

export function expandString(text: string, env: Environment): ExpandedString {
  const variables: string[] = [];
  const problems: string[] = [];

  const expanded = text.replace(REFERENCE, (match: string, body: string | undefined) => {
    if (match === '$${') return '${';
    if (body === undefined) {
      problems.push('unterminated `${` (write `$${` for a literal `${`)');
      return match;
    }
    const reference = REFERENCE_BODY.exec(body);
    if (!reference && body.startsWith('input:')) {
      problems.push(`\`${match}\` is a VS Code input prompt, which mcproxy cannot show: set an environment variable and write \${NAME}`);
      return match;
    }
    if (!reference) {
      problems.push(`\`${match}\` is not a variable reference: expected \${NAME} or \${NAME:-default} (write \`$\${\` for a literal \`\${\`)`);
      return match;
    }
    const [, name, fallback] = reference as unknown as [string, string, string | undefined];
    variables.push(name);
    const value = env[name];
    if (fallback !== undefined) return value ? value : fallback;
    if (value === undefined) {
      problems.push(`environment variable ${name} is not set (use \${${name}:-default} to give a default)`);
      return '';
    }
    return value;
  });

  return { text: expanded, variables: [...new Set(variables)], problems };
}
