// Pointing a client at mcproxy: its server map becomes one `mcproxy` entry (other keys and
// comments stay as they were), after a timestamped backup that `--undo` restores.
import { copyFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { applyEdits, findNodeAtLocation, modify, parseTree } from 'jsonc-parser';
import { INSTALLED_NAME, type FoundConfig } from './clients.js';

export interface Launch {
  command: string;
  args: string[];
  /** The secrets mcproxy.yaml refers to, by variable name. */
  env: Record<string, string>;
}

export interface InstallPlan {
  file: string;
  before: string;
  after: string;
}

/**
 * The file with mcproxy's entry in the first server map (`serverMaps`, default the client's
 * section) and the others it imported from emptied (Claude Code's local scope for this folder).
 */
export function planInstall(found: FoundConfig, launch: Launch, serverMaps: string[][] = [[found.client.section]]): InstallPlan {
  const entry = {
    ...(found.client.section === 'servers' && { type: 'stdio' }),
    command: launch.command,
    args: launch.args,
    ...(Object.keys(launch.env).length > 0 && { env: launch.env }),
  };
  const formattingOptions = { insertSpaces: true, tabSize: 2, eol: '\n' };
  let after = found.text.trim() === '' ? '{}\n' : found.text;
  const [main = [found.client.section], ...others] = serverMaps;
  for (const other of others) {
    const tree = parseTree(after);
    if (tree && findNodeAtLocation(tree, other)) after = applyEdits(after, modify(after, other, {}, { formattingOptions }));
  }
  after = applyEdits(after, modify(after, main, { [INSTALLED_NAME]: entry }, { formattingOptions }));
  return { file: found.file, before: found.text, after };
}

const BACKUP_MARK = '.mcproxy-backup-';

/** `file.mcproxy-backup-20261122T165725Z`: sorts by time. */
export function backupName(file: string, now: Date): string {
  return `${file}${BACKUP_MARK}${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
}

/** Backs the file up, then writes the plan; returns the backup's path. */
export function applyInstall(plan: InstallPlan, now: Date): string {
  const backup = backupName(plan.file, now);
  copyFileSync(plan.file, backup);
  writeFileSync(plan.file, plan.after);
  return backup;
}

export function latestBackup(file: string): string | undefined {
  const folder = path.dirname(file);
  const prefix = path.basename(file) + BACKUP_MARK;
  let names: string[];
  try {
    names = readdirSync(folder).filter((name) => name.startsWith(prefix));
  } catch {
    return undefined;
  }
  const latest = names.sort().at(-1);
  return latest === undefined ? undefined : path.join(folder, latest);
}

/** Puts the latest backup back in place of `file` (and removes it); returns its path, or undefined if there is none. */
export function undoInstall(file: string): string | undefined {
  const backup = latestBackup(file);
  if (!backup) return undefined;
  copyFileSync(backup, file);
  rmSync(backup);
  return backup;
}

/** A unified diff of the plan with every secret value masked. */
export function maskedDiff(plan: InstallPlan, secretValues: readonly string[]): string {
  const mask = (text: string) => secretValues.filter(Boolean).reduce((masked, secret) => masked.split(secret).join('***'), text);
  return createTwoFilesPatch(plan.file, plan.file, mask(plan.before), mask(plan.after), 'now', 'after mcproxy init --install');
}
