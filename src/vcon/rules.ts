// The vCon core rules that the JSON Schema does not encode (see ../shared/vcon/NOTES.md), and
// the conserver's own ingest requirements. Pure: returns what is wrong, in words.
import { UUID_PATTERN } from './uuid.js';

type Loose = Record<string, unknown>;

const RENAMED: Record<string, string> = { mimetype: 'mediatype', must_support: 'critical', appended: 'amended', schema_version: 'schema' };
const ENCODINGS = new Set(['none', 'base64url', 'json']);
const DIALOG_TYPES = new Set(['text', 'recording', 'recording-set', 'transfer', 'incomplete']);
const PARTY_TYPES = new Set(['person', 'bot', 'organization']);
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const CONTENT_HASH = /^sha512-[A-Za-z0-9_-]+$/;
const TEL = /^\+?[0-9][0-9 ().-]*$/;

export function checkRules(input: unknown): string[] {
  const problems: string[] = [];
  if (!isMap(input)) return ['the vCon is not a JSON object'];
  const vcon = input;
  if (vcon.vcon !== '0.4.0') problems.push('vcon: must be "0.4.0" (the conserver requires it)');
  if (typeof vcon.uuid !== 'string' || !UUID_PATTERN.test(vcon.uuid)) problems.push('uuid: required, a UUID');
  for (const key of ['created_at', 'updated_at']) {
    if ((key === 'created_at' || vcon[key] !== undefined) && !(typeof vcon[key] === 'string' && RFC3339.test(vcon[key] as string))) {
      problems.push(`${key}: ${key === 'created_at' ? 'required, ' : ''}an RFC 3339 date-time`);
    }
  }
  if (vcon.redacted !== undefined && vcon.amended !== undefined) problems.push('redacted and amended are mutually exclusive');
  if (vcon.group !== undefined) problems.push('group: reserved, must not be sent');
  oldNames(vcon, '', problems);

  if (!Array.isArray(vcon.parties)) {
    problems.push('parties: required, an array');
    return problems;
  }
  const partyCount = vcon.parties.length;
  const dialogs = vcon.dialog === undefined ? [] : vcon.dialog;
  if (!Array.isArray(dialogs)) problems.push('dialog: must be an array');
  const dialogCount = Array.isArray(dialogs) ? dialogs.length : 0;

  vcon.parties.forEach((party, i) => {
    const at = `parties[${i}]`;
    if (!isMap(party)) return problems.push(`${at}: must be an object`);
    if (party.type !== undefined && !PARTY_TYPES.has(party.type as string)) problems.push(`${at}.type: one of person, bot, organization`);
    if (party.tel !== undefined && !(typeof party.tel === 'string' && TEL.test(party.tel))) problems.push(`${at}.tel: a phone number without a tel: prefix`);
  });

  if (Array.isArray(dialogs)) {
    dialogs.forEach((dialog, i) => {
      const at = `dialog[${i}]`;
      if (!isMap(dialog)) return problems.push(`${at}: must be an object`);
      if (!DIALOG_TYPES.has(dialog.type as string)) problems.push(`${at}.type: one of ${[...DIALOG_TYPES].join(', ')}`);
      if (!(typeof dialog.start === 'string' && RFC3339.test(dialog.start))) problems.push(`${at}.start: required, an RFC 3339 date-time`);
      if (dialog.parties !== undefined) {
        const list = dialog.parties;
        if (!Array.isArray(list) || !list.every((p) => Number.isInteger(p))) problems.push(`${at}.parties: a flat list of integer party indices`);
        else for (const p of list) if (p < 0 || p >= partyCount) problems.push(`${at}.parties: index ${p} is not a party`);
      }
      if (dialog.originator !== undefined && !inRange(dialog.originator, partyCount)) problems.push(`${at}.originator: index ${String(dialog.originator)} is not a party`);
      if (dialog.duration !== undefined && !(typeof dialog.duration === 'number' && dialog.duration >= 0)) problems.push(`${at}.duration: a non-negative number`);
      if (typeof dialog.session_id === 'string') problems.push(`${at}.session_id: an object {local, remote}, not a string`);
      content(dialog, at, problems);
    });
  }

  section(vcon.analysis, 'analysis', problems, (analysis, at) => {
    if (typeof analysis.type !== 'string') problems.push(`${at}.type: required`);
    if (typeof analysis.vendor !== 'string') problems.push(`${at}.vendor: required`);
    const refs = analysis.dialog === undefined ? [] : Array.isArray(analysis.dialog) ? analysis.dialog : [analysis.dialog];
    for (const ref of refs) if (!inRange(ref, dialogCount)) problems.push(`${at}.dialog: index ${String(ref)} is not a dialog`);
    content(analysis, at, problems);
  });
  section(vcon.attachments, 'attachments', problems, (attachment, at) => {
    if (!(typeof attachment.start === 'string' && RFC3339.test(attachment.start))) problems.push(`${at}.start: required, an RFC 3339 date-time`);
    if (!inRange(attachment.party, partyCount)) problems.push(`${at}.party: required, a party index`);
    if (!inRange(attachment.dialog, dialogCount)) problems.push(`${at}.dialog: required, a dialog index`);
    if (attachment.type !== undefined) problems.push(`${at}.type: attachments use \`purpose\``);
    content(attachment, at, problems);
  });
  return problems;
}

/** Inline content needs encoding and mediatype; external content an https url and a sha512 content_hash. */
function content(object: Loose, at: string, problems: string[]): void {
  const body = object.body;
  if (body !== undefined && body !== '') {
    if (!ENCODINGS.has(object.encoding as string)) problems.push(`${at}.encoding: required with a body, one of none, base64url, json`);
    if (typeof object.mediatype !== 'string') problems.push(`${at}.mediatype: required with a body`);
  }
  if (object.url !== undefined) {
    let https = false;
    try {
      https = new URL(object.url as string).protocol === 'https:';
    } catch {
      // not a URL at all
    }
    if (!https) problems.push(`${at}.url: an https URL`);
    if (object.content_hash === undefined) problems.push(`${at}.content_hash: required with a url`);
  }
  const hashes = object.content_hash === undefined ? [] : Array.isArray(object.content_hash) ? object.content_hash : [object.content_hash];
  for (const hash of hashes) if (!(typeof hash === 'string' && CONTENT_HASH.test(hash))) problems.push(`${at}.content_hash: sha512-<base64url>`);
  if (object.meta !== undefined && isMap(object.meta) && object.meta.content_hash !== undefined && !CONTENT_HASH.test(String(object.meta.content_hash))) {
    problems.push(`${at}.meta.content_hash: sha512-<base64url>`);
  }
}

function section(value: unknown, name: string, problems: string[], check: (item: Loose, at: string) => void): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) return void problems.push(`${name}: must be an array`);
  value.forEach((item, i) => (isMap(item) ? check(item, `${name}[${i}]`) : problems.push(`${name}[${i}]: must be an object`)));
}

function oldNames(value: Loose, at: string, problems: string[]): void {
  oldNamesFlat(value, at, problems);
  for (const key of ['dialog', 'analysis', 'attachments', 'parties']) {
    const list = value[key];
    if (Array.isArray(list)) list.forEach((item, i) => isMap(item) && oldNamesFlat(item, `${key}[${i}].`, problems));
  }
}

function oldNamesFlat(value: Loose, at: string, problems: string[]): void {
  for (const [old, now] of Object.entries(RENAMED)) if (old in value) problems.push(`${at}${old}: renamed to ${now}`);
}

function inRange(index: unknown, count: number): boolean {
  return Number.isInteger(index) && (index as number) >= 0 && (index as number) < count;
}

function isMap(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
