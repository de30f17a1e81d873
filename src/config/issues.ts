// Turns zod's validation issues into problems a user can act on: what was expected, what was
// found (unless it came from the environment), and for unknown keys the key they probably meant.
import { z } from 'zod';
import { isPlainMap, valueAt } from './document.js';
import type { ConfigPath, PathProblem } from './problems.js';

type Schema = z.core.$ZodType;
type Issue = z.core.$ZodIssue;

export interface IssueContext {
  /** The data that was validated, to look at what a failing value actually was. */
  data: unknown;
  /** Names the value at a path for a message, hiding values that came from the environment. */
  describeValueAt(path: ConfigPath): string;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a map',
  record: 'a map',
  array: 'a list',
  null: 'null',
};

/**
 * Error map for `safeParse`: phrases each failed check as what was expected. Messages set in
 * the schema itself take precedence over these.
 */
export function expectationMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) === 1 ? 'expected a non-empty string' : `expected at least ${issue.minimum} characters`;
      if (issue.origin === 'array') return `expected at least ${issue.minimum} items`;
      return `expected a number ${issue.inclusive ? '>=' : '>'} ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `expected at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `expected at most ${issue.maximum} items`;
      return `expected a number ${issue.inclusive ? '<=' : '<'} ${issue.maximum}`;
    case 'invalid_format':
      if (issue.format === 'starts_with') return `expected a value starting with ${JSON.stringify(issue.prefix)}`;
      if (issue.format === 'regex') return `expected a value matching ${issue.pattern}`;
      return `expected a valid ${issue.format}`;
    default:
      return undefined; // zod's own wording
  }
}

/** Problems for zod issues reported against `schema`, with paths prefixed by `prefix`. */
export function problemsFromIssues(
  issues: readonly Issue[],
  schema: Schema,
  context: IssueContext,
  prefix: ConfigPath = [],
): PathProblem[] {
  return issues.flatMap((issue) => problemsFromIssue(issue, schema, context, prefix));
}

function problemsFromIssue(issue: Issue, schema: Schema, context: IssueContext, prefix: ConfigPath): PathProblem[] {
  const relativePath = issue.path as (string | number)[];
  const path = [...prefix, ...relativePath];
  const value = valueAt(context.data, path);

  switch (issue.code) {
    case 'invalid_union':
      return problemsFromUnion(issue, schemaAt(schema, relativePath), context, path);
    case 'unrecognized_keys': {
      const knownKeys = keysOf(schemaAt(schema, relativePath));
      return issue.keys.map((key) => ({ path: [...path, key], message: unknownKeyMessage(key, knownKeys) }));
    }
    case 'invalid_key':
      return [{ path, message: `invalid key: ${issue.issues.map((inner) => inner.message).join('; ')}` }];
    default:
      if (value === undefined) return [{ path, message: `missing: ${issue.message}` }];
      return [{ path, message: `${issue.message}, got ${context.describeValueAt(path)}` }];
  }
}

/**
 * zod reports a failed union with every option's issues, which reads as noise ("url is
 * required" for a stdio server). When exactly one option has all its required keys present,
 * the user meant that one: report its issues alone. Otherwise report the union's own message.
 */
function problemsFromUnion(
  issue: Extract<Issue, { code: 'invalid_union' }>,
  union: Schema | undefined,
  context: IssueContext,
  path: ConfigPath,
): PathProblem[] {
  const value = valueAt(context.data, path);
  const options = union instanceof z.ZodUnion ? (union.options as readonly Schema[]) : [];
  const candidates = issue.errors
    .map((optionIssues, index) => ({ optionIssues, option: options[index] }))
    .filter(({ optionIssues }) => !optionIssues.some((inner) => isMissingTopLevelKey(inner, value)));

  const [only] = candidates;
  if (candidates.length === 1 && only?.option) return problemsFromIssues(only.optionIssues, only.option, context, path);
  if (!isPlainMap(value)) return [{ path, message: `${issue.message}, got ${context.describeValueAt(path)}` }];
  // No option has its required keys (`comand: node`): the other keys, or a typo, say which was meant.
  const meant = candidates.length === 0 ? likelyOption(Object.keys(value), options) : undefined;
  if (meant !== undefined) {
    return problemsFromIssues(issue.errors[meant] ?? [], options[meant]!, context, path).map((problem) =>
      isMissingKeyOf(problem, path, value) ? { ...problem, message: missingKeyMessage(String(problem.path.at(-1))) } : problem,
    );
  }
  // Several candidates: the map has the required keys of more than one kind.
  return [{ path, message: candidates.length === 2 ? `${issue.message}, not both` : issue.message }];
}

/**
 * The union option whose own keys the map's keys match best (exactly, or as a likely typo),
 * when exactly one does; keys every option shares say nothing.
 */
function likelyOption(presentKeys: string[], options: readonly Schema[]): number | undefined {
  const keysPerOption = options.map((option) => keysOf(unwrap(option)));
  const shared = keysPerOption.reduce((common, keys) => common.filter((key) => keys.includes(key)));
  const scores = keysPerOption.map((keys) => {
    const own = keys.filter((key) => !shared.includes(key));
    return presentKeys.reduce((score, key) => score + (own.includes(key) ? 2 : closestKey(key, own) ? 1 : 0), 0);
  });
  const best = Math.max(...scores);
  return best > 0 && scores.filter((score) => score === best).length === 1 ? scores.indexOf(best) : undefined;
}

function isMissingKeyOf(problem: PathProblem, path: ConfigPath, value: unknown): boolean {
  return problem.path.length === path.length + 1 && problem.message.startsWith('missing') && valueAt(value, problem.path.slice(path.length)) === undefined;
}

/** "missing `command` (...)": the key the meant option needs, and what it is for. */
function missingKeyMessage(key: string): string {
  return REQUIRED_KEY_ROLES[key] ? `missing \`${key}\` (${REQUIRED_KEY_ROLES[key]})` : `missing \`${key}\``;
}

const REQUIRED_KEY_ROLES: Record<string, string> = {
  command: 'the program that starts a stdio server; a remote server has `url` instead',
  url: 'the http:// or https:// address of a remote server; a stdio server has `command` instead',
  package: 'the npm package whose server to run; or give `command` or `url` instead',
};

function isMissingTopLevelKey(issue: Issue, value: unknown): boolean {
  return issue.code === 'invalid_type' && issue.path.length === 1 && valueAt(value, issue.path as string[]) === undefined;
}

// Keys other MCP clients use, pointing at ours; edit distance wouldn't find these.
const KEY_HINTS: Record<string, string> = {
  cmd: '`command`',
  type: '`transport`',
  disabled: '`enabled: false`',
};

function unknownKeyMessage(key: string, knownKeys: string[]): string {
  const hint = KEY_HINTS[key] ?? closestKey(key, knownKeys);
  if (hint) return `unknown key, did you mean ${hint.startsWith('`') ? hint : `\`${hint}\``}?`;
  return knownKeys.length ? `unknown key (expected one of: ${knownKeys.join(', ')})` : 'unknown key';
}

/** The known key a typo most likely meant, if any is close enough to be a plausible typo. */
function closestKey(key: string, knownKeys: string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const known of knownKeys) {
    const distance = editDistance(key.toLowerCase(), known.toLowerCase());
    const tolerated = Math.max(1, Math.floor(Math.max(key.length, known.length) / 3));
    if (distance <= tolerated && (!best || distance < best.distance)) best = { key: known, distance };
  }
  return best?.key;
}

/** Edit distance counting insertions, deletions, substitutions and swaps of neighbours ("hots"). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => rows[i]![j]!;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, at(i - 2, j - 2) + 1);
      rows[i]![j] = distance;
    }
  }
  return at(a.length, b.length);
}

/** The schema that validates the value at `path`, looking through defaults and optionals. */
function schemaAt(schema: Schema, path: readonly (string | number)[]): Schema | undefined {
  let current: Schema | undefined = unwrap(schema);
  for (const segment of path) {
    // A key inside an upstream (a union of kinds): the first kind that has it, e.g. `tools`.
    if (current instanceof z.ZodUnion) current = (current.options as Schema[]).map(unwrap).find((option) => option instanceof z.ZodObject && String(segment) in option.shape);
    if (current instanceof z.ZodObject) current = (current.shape as Record<string, Schema>)[segment];
    else if (current instanceof z.ZodRecord) current = current.valueType as Schema;
    else if (current instanceof z.ZodArray) current = current.element as Schema;
    else return undefined;
    if (current) current = unwrap(current);
  }
  return current;
}

function unwrap(schema: Schema): Schema {
  let current = schema;
  while (
    current instanceof z.ZodDefault ||
    current instanceof z.ZodPrefault ||
    current instanceof z.ZodOptional ||
    current instanceof z.ZodNullable
  ) {
    current = current.unwrap() as Schema;
  }
  return current;
}

/** Keys an object schema accepts (for a union, those of all its options). */
function keysOf(schema: Schema | undefined): string[] {
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  if (schema instanceof z.ZodUnion) return [...new Set((schema.options as Schema[]).flatMap((option) => keysOf(unwrap(option))))];
  return [];
}
