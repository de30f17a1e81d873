// Reading what a tool call returned.

/** The text of a tool result: the `text` of its content items, joined (other items count as ''). */
export function text(result: unknown): string {
  const content = (result as { content: Array<{ type: string; text?: string }> }).content;
  return content.map((c) => c.text ?? '').join('');
}
