// Signs that a tool or prompt description talks to the model behind the user's back: tags that
// shout at it (<IMPORTANT>, <SYSTEM>, ...), characters a human cannot see, and the classic
// "ignore previous instructions". Pure: flags for the log and `pins diff`, never a verdict.

const SHOUTING_TAG = /<\s*(important|system|instructions?|secret|hidden|admin)\b[^>]*>/gi;
const OVERRIDE_PHRASE = /\b(ignore|disregard) (all |any )?(previous|prior|above) (instructions|messages)|\bdo not (tell|mention|inform) the user\b/gi;
/** Zero-width and joiner characters, bidi controls, word joiners, BOM, and the tag block (U+E0000–U+E007F). */
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]|\uDB40[\uDC00-\uDC7F]/g;

/** What looks like a hidden instruction anywhere in `value` (strings, nested in lists and maps). */
export function hiddenInstructions(value: unknown): string[] {
  const findings = new Set<string>();
  visitStrings(value, (text) => {
    for (const match of text.matchAll(SHOUTING_TAG)) findings.add(`<${match[1].toUpperCase()}> tag`);
    for (const match of text.matchAll(OVERRIDE_PHRASE)) findings.add(`instruction to the model: "${match[0]}"`);
    const invisible = [...new Set([...text.matchAll(INVISIBLE)].map((m) => codePoint(m[0])))];
    if (invisible.length > 0) findings.add(`invisible characters ${invisible.join(' ')}`);
  });
  return [...findings];
}

function visitStrings(value: unknown, visit: (text: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) value.forEach((item) => visitStrings(item, visit));
  else if (value !== null && typeof value === 'object') Object.values(value).forEach((item) => visitStrings(item, visit));
}

function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
