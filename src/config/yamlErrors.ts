// The YAML parser's errors, said in plain words. The parser often reports one mistake several
// times on the same line (a tab, then the broken mapping it causes): the first one is kept.
import type { YAMLError } from 'yaml';

export interface YamlProblem {
  offset: number;
  message: string;
}

/** One plain message per line with an error, in file order. */
export function plainYamlErrors(errors: readonly YAMLError[], text: string, lineOf: (offset: number) => number): YamlProblem[] {
  const seenLines = new Set<number>();
  const problems: YamlProblem[] = [];
  for (const error of [...errors].sort((a, b) => a.pos[0] - b.pos[0])) {
    const line = lineOf(error.pos[0]);
    if (seenLines.has(line)) continue;
    seenLines.add(line);
    problems.push({ offset: misplacedLine(error, text) ?? error.pos[0], message: plainMessage(error, text) });
  }
  return problems;
}

/**
 * `command: node` followed by ` args:` indented one space too far makes `node args` one value
 * that runs into a `:`, which the parser reports at `node`; the mistake is the next line, when it
 * is indented further than the line the error is on. Its offset then, else undefined.
 */
function misplacedLine(error: YAMLError, text: string): number | undefined {
  if (error.code !== 'MULTILINE_IMPLICIT_KEY' && error.code !== 'BLOCK_AS_IMPLICIT_KEY') return undefined;
  const lineStart = text.lastIndexOf('\n', error.pos[0] - 1) + 1;
  const nextStart = text.indexOf('\n', error.pos[0]) + 1;
  if (nextStart === 0) return undefined;
  const indent = (from: number) => /^ */.exec(text.slice(from))![0].length;
  const next = text.slice(nextStart).split('\n', 1)[0]!;
  return next.trim() !== '' && indent(nextStart) > indent(lineStart) ? nextStart + indent(nextStart) : undefined;
}

function plainMessage(error: YAMLError, text: string): string {
  const found = text.slice(error.pos[0], Math.max(error.pos[1], error.pos[0] + 1)).split('\n')[0]!.trim();
  // Reported as BAD_INDENT or MISSING_CHAR depending on what follows the unclosed bracket.
  if (/^Flow sequence/.test(error.message)) return 'a `[` list is not closed: add `]` (a list that goes on over several lines must be indented under its key)';
  if (/^Flow mapping/.test(error.message)) return 'a `{` map is not closed: add `}` (a map that goes on over several lines must be indented under its key)';
  switch (error.code) {
    case 'TAB_AS_INDENT':
      return 'a tab is used to indent: YAML indents with spaces only';
    case 'BAD_INDENT':
      return 'this line is indented differently from the lines it belongs with: keys of one map must start in the same column';
    case 'DUPLICATE_KEY':
      return `the key ${found ? `\`${found}\` ` : ''}appears twice in the same map (keys must be unique): keep one`;
    case 'MISSING_CHAR':
      if (/quote/i.test(error.message)) return 'a quoted string is not closed: add the closing quote';
      return `something is missing here: ${lowerFirst(error.message)}`;
    case 'MULTILINE_IMPLICIT_KEY':
    case 'BLOCK_AS_IMPLICIT_KEY':
      return 'a key and its `:` must be on one line: is a `:`, a quote or a bracket missing, or is this line indented too far?';
    case 'BAD_SCALAR_START':
      return `a value cannot start with ${found ? `\`${found[0]}\`` : 'this character'} unless it is quoted: put it in quotes`;
    case 'UNEXPECTED_TOKEN':
      return `unexpected ${found ? `\`${found}\`` : 'text'} here: ${lowerFirst(error.message)}`;
    case 'BAD_DQ_ESCAPE':
      return 'a backslash escape in a "double-quoted" string is not valid: use single quotes, or write \\\\ for a backslash';
    case 'BAD_ALIAS':
      return `${lowerFirst(error.message)} (a \`*name\` must refer to an \`&name\` defined above it)`;
    default:
      return lowerFirst(error.message);
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
