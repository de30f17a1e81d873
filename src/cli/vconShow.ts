// `mcproxy vcon show`: a vCon as a readable timeline, one line per message: time, from → to,
// method and kind, and a short summary of the body. Pure formatting; colours are optional.
import type { Vcon, VconDialog } from '../vcon/types.js';

export interface Palette {
  dim(text: string): string;
  bold(text: string): string;
  red(text: string): string;
  cyan(text: string): string;
}

const ESC = '\u001b[';
export const COLOURS: Palette = {
  dim: (t) => `${ESC}2m${t}${ESC}22m`,
  bold: (t) => `${ESC}1m${t}${ESC}22m`,
  red: (t) => `${ESC}31m${t}${ESC}39m`,
  cyan: (t) => `${ESC}36m${t}${ESC}39m`,
};
export const PLAIN: Palette = { dim: (t) => t, bold: (t) => t, red: (t) => t, cyan: (t) => t };

/** The vCon's tags attachment as "key:value" strings. */
export function tagsOf(vcon: Vcon): string[] {
  const attachment = vcon.attachments?.find((a) => a.purpose === 'tags');
  try {
    const tags = JSON.parse(attachment?.body ?? '[]');
    return Array.isArray(tags) ? tags.map(String) : [];
  } catch {
    return [];
  }
}

/** The values of tags named `key`. */
export function tagValues(vcon: Vcon, key: string): string[] {
  return tagsOf(vcon).flatMap((tag) => (tag.startsWith(`${key}:`) ? [tag.slice(key.length + 1)] : []));
}

export function formatTimeline(vcon: Vcon, colour: Palette = PLAIN, indent = ''): string {
  const names = vcon.parties.map((party, index) => party.name ?? `party ${index}`);
  const lines = [
    `${indent}${colour.bold(vcon.subject ?? 'vCon')}  ${colour.dim(vcon.uuid)}`,
    `${indent}${colour.dim(`${vcon.created_at} → ${vcon.updated_at ?? '?'}  parties: ${names.join(', ')}`)}`,
  ];
  if (vcon.amended) lines.push(`${indent}${colour.dim(`continues vCon ${vcon.amended.uuid}`)}`);
  for (const dialog of vcon.dialog ?? []) lines.push(indent + formatLine(dialog, names, colour));
  return lines.join('\n') + '\n';
}

function formatLine(dialog: VconDialog, names: string[], colour: Palette): string {
  const parties = Array.isArray(dialog.parties) ? dialog.parties : dialog.parties === undefined ? [] : [dialog.parties];
  const [from, to] = parties;
  const route = to === undefined ? `${names[from ?? 0]} ⇄ proxy` : `${names[from]} → ${names[to]}`;
  const meta = dialog.meta ?? {};
  const kind = String(meta.mcp_type ?? '');
  const method = String(meta.mcp_method ?? '');
  const id = meta.request_id === undefined ? '' : ` #${String(meta.request_id)}`;
  const time = dialog.start.slice(11, 23);
  const label = `${method} ${kind}${id}`.trim();
  const summary = summarize(dialog.body ?? '');
  return `${colour.dim(time)}  ${colour.cyan(route.padEnd(28))} ${kind === 'error' ? colour.red(label) : label}${summary ? `  ${colour.dim(summary)}` : ''}`;
}

/** A short view of the body: the name or URI asked for, the first text of a result, an error's message. */
function summarize(body: string): string {
  let message: Record<string, unknown>;
  try {
    message = JSON.parse(body);
  } catch {
    return shorten(body);
  }
  const params = (message.params ?? {}) as Record<string, unknown>;
  if (message.error) return shorten(String((message.error as { message?: unknown }).message ?? ''));
  if (message.method) {
    const target = params.name ?? params.uri ?? '';
    const args = params.arguments === undefined ? '' : ` ${JSON.stringify(params.arguments)}`;
    return shorten(`${String(target)}${args}`);
  }
  const result = (message.result ?? {}) as Record<string, unknown>;
  const content = Array.isArray(result.content) ? (result.content as { text?: string }[]).find((c) => typeof c.text === 'string') : undefined;
  if (content?.text) return shorten(content.text);
  const list = ['tools', 'prompts', 'resources', 'resourceTemplates'].find((key) => Array.isArray(result[key]));
  if (list) return `${(result[list] as unknown[]).length} ${list}`;
  return '';
}

function shorten(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
