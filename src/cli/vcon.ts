// The `mcproxy vcon …` commands: validate files, show one as a timeline, flush the spool.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ProxyConfig } from '../config/schema.js';
import { ConserverClient } from '../vcon/conserver.js';
import { Delivery, VCON_SUFFIX } from '../vcon/delivery.js';
import { recordingOptionsFromConfig } from '../vcon/options.js';
import type { Vcon } from '../vcon/types.js';
import { vconProblems } from '../vcon/validate.js';
import type { VconCommand } from './vconArgs.js';
import { COLOURS, formatTimeline, PLAIN, tagValues } from './vconShow.js';

const EXIT_INVALID = 2;

export async function runVconCommand(command: VconCommand, loadConfig: (file?: string) => ProxyConfig | undefined): Promise<number> {
  switch (command.action) {
    case 'validate':
      return validate(command.files);
    case 'show':
      return show(command.file);
    case 'flush':
      return flush(loadConfig(command.config));
  }
}

function validate(files: string[]): number {
  let invalid = 0;
  for (const file of files) {
    const problems = readVcon(file).problems;
    if (problems.length === 0) {
      process.stdout.write(`${file}: valid\n`);
      continue;
    }
    invalid++;
    process.stdout.write(`${file}: INVALID\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  }
  return invalid === 0 ? 0 : EXIT_INVALID;
}

function show(file: string): number {
  const { vcon, problems } = readVcon(file);
  if (!vcon) {
    process.stderr.write(`${file}: ${problems.join('; ')}\n`);
    return EXIT_INVALID;
  }
  const colour = process.stdout.isTTY ? COLOURS : PLAIN;
  let text = formatTimeline(vcon, colour);
  // Chains: the outer proxy's vCon (parent_vcon tag) and inner proxies' vCons, when they are beside this one.
  const folder = path.dirname(file);
  for (const parent of tagValues(vcon, 'parent_vcon')) {
    const outer = readVcon(path.join(folder, parent + VCON_SUFFIX)).vcon;
    text += outer ? `\n${colour.bold('called from')} ${outer.subject ?? ''} (${parent})\n` : `\ncalled from vCon ${parent} (not in ${folder})\n`;
  }
  for (const inner of innerVcons(folder, vcon.uuid)) {
    text += `\n${colour.bold('continued in an inner proxy:')}\n${formatTimeline(inner, colour, '  ')}`;
  }
  process.stdout.write(text);
  return 0;
}

async function flush(config: ProxyConfig | undefined): Promise<number> {
  if (!config) return EXIT_INVALID;
  if (!config.vcon) {
    process.stderr.write(`${config.file}: no \`vcon:\` section, nothing is recorded\n`);
    return EXIT_INVALID;
  }
  const options = recordingOptionsFromConfig(config.vcon, config.server.name, []);
  if (!options.conserver) {
    process.stdout.write(`no conserver configured (vcon.conserver.url or CONSERVER_URL): vCons stay in ${options.dir}\n`);
    return 0;
  }
  const conserver = new ConserverClient(options.conserver);
  const delivery = new Delivery(options.dir, conserver, { posted: () => {}, failed: () => {} });
  const report = await delivery.flushSpool();
  await conserver.close();
  const lines = [`delivered: ${report.delivered.length}`, `still spooled: ${report.pending.length}`];
  for (const { uuid, reason } of report.pending) lines.push(`  pending ${uuid}: ${reason}`);
  const rejected = listRejected(delivery.rejectedDir);
  lines.push(`rejected (in ${delivery.rejectedDir}): ${rejected.length}`);
  for (const { uuid, reason } of rejected) lines.push(`  rejected ${uuid}: ${reason}`);
  process.stdout.write(lines.join('\n') + '\n');
  return report.pending.length === 0 ? 0 : 1;
}

function readVcon(file: string): { vcon?: Vcon; problems: string[] } {
  let vcon: unknown;
  try {
    vcon = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return { problems: [(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `not JSON: ${(error as Error).message}`] };
  }
  const problems = vconProblems(vcon);
  return { vcon: problems.length === 0 || isVconShaped(vcon) ? (vcon as Vcon) : undefined, problems };
}

function isVconShaped(value: unknown): boolean {
  const v = value as Vcon;
  return typeof v === 'object' && v !== null && typeof v.uuid === 'string' && Array.isArray(v.parties);
}

function innerVcons(folder: string, uuid: string): Vcon[] {
  const found: Vcon[] = [];
  for (const name of safeList(folder)) {
    if (!name.endsWith(VCON_SUFFIX) || name.startsWith(uuid)) continue;
    const vcon = readVcon(path.join(folder, name)).vcon;
    if (vcon && tagValues(vcon, 'parent_vcon').includes(uuid)) found.push(vcon);
  }
  return found;
}

function listRejected(dir: string): { uuid: string; reason: string }[] {
  return safeList(dir)
    .filter((name) => name.endsWith('.reason.txt'))
    .map((name) => ({ uuid: name.slice(0, -'.reason.txt'.length), reason: readFileSync(path.join(dir, name), 'utf8').trim() }));
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
