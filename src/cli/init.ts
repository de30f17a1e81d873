// `mcproxy init`: import the MCP servers of the clients on this machine into one mcproxy.yaml,
// and optionally point a client at mcproxy (--install) or back (--undo). Secret values are
// never printed: only variable names.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLIENTS, clientById, currentPlace, findClientConfigs, launchesMcproxy, readClientConfig, serverMapsOf, type Place } from '../init/clients.js';
import { convertServers, envExample, mcproxyYaml, type Conversion } from '../init/convert.js';
import { applyInstall, maskedDiff, planInstall, undoInstall } from '../init/install.js';
import type { Command } from './args.js';

/** This CLI's own script: what an installed client runs, with the Node running us now. */
const CLI_SCRIPT = fileURLToPath(new URL('./main.js', import.meta.url));
const ENV_EXAMPLE = '.env.example';
const EXIT_INVALID = 2;
const PINNING_NOTE =
  'Tool pinning is on: each server\'s tools are pinned when first listed, and a tool whose description or schema changes later (say, after an `npx -y` update) is withheld until you accept it: `mcproxy pins diff` shows how, `mcproxy pins accept SERVER:TOOL` takes it. `security.onToolChange: warn` serves changes with a warning instead.';

type InitCommand = Extract<Command, { kind: 'init' }>;

export async function runInit(command: InitCommand, place: Place = currentPlace(), now = new Date()): Promise<number> {
  const out = (line = '') => process.stdout.write(line + '\n');
  const fail = (message: string) => {
    process.stderr.write(`mcproxy init: ${message}\n`);
    return EXIT_INVALID;
  };
  const clientNamed = (id: string) => clientById(id) ?? fail(`unknown client ${id}: one of ${CLIENTS.map((c) => c.id).join(', ')}`);

  if (command.undo !== undefined) {
    const client = clientNamed(command.undo);
    if (typeof client === 'number') return client;
    for (const file of client.files(place)) {
      const backup = undoInstall(file);
      if (backup) {
        out(`Restored ${file} from ${backup}. Restart ${client.label} to use it.`);
        return 0;
      }
    }
    return fail(`no backup of ${client.label}'s config found (looked for ${client.files(place).map((f) => `${f}.mcproxy-backup-*`).join(', ')})`);
  }

  const found = findClientConfigs(place);
  if (found.length === 0) {
    process.stderr.write(`mcproxy init: no MCP client config found. Looked for:\n${CLIENTS.flatMap((c) => c.files(place).map((f) => `  ${c.label}: ${f}`)).join('\n')}\n`);
    return EXIT_INVALID;
  }
  out('Found:');
  for (const config of found) {
    const names = Object.keys(config.servers).filter((name) => !launchesMcproxy(name, config.servers[name]!));
    const what = config.error ? `unreadable: ${config.error}` : names.length ? `${names.length} server(s): ${names.join(', ')}` : 'no servers to import';
    out(`  ${config.client.id.padEnd(15)} ${config.file}  (${what})`);
  }

  const output = path.resolve(place.cwd, command.output ?? 'mcproxy.yaml');
  const envFile = path.join(path.dirname(output), ENV_EXAMPLE);
  // --install CLIENT gives CLIENT its own servers: another client's servers (and secrets) stay there.
  const onlyInstalled = command.install !== undefined && !command.all;
  const conversion = convertServers(onlyInstalled ? found.filter((config) => config.client.id === command.install) : found);
  if (onlyInstalled) out(`Importing ${command.install}'s servers only (--all imports every client's).`);
  const yamlText = mcproxyYaml(conversion, ENV_EXAMPLE);
  for (const note of conversion.notes) out(`Note: ${note}`);

  const writeConfig = !existsSync(output);
  if (!writeConfig && command.install === undefined) return fail(`${output} already exists: give another path with --output, or remove it first`);
  if (Object.keys(conversion.upstreams).length === 0 && writeConfig) return fail('the configs found have no servers to import');

  if (command.dryRun) {
    out();
    if (!writeConfig) out(`Would use the existing ${output}.`);
    else out(`Would write ${output}:\n\n${yamlText}`);
    if (writeConfig && variableNames(conversion).length) out(`Would write ${envFile} naming ${variableNames(conversion).length} variable(s): ${variableNames(conversion).join(', ')}`);
  } else if (writeConfig) {
    writeFileSync(output, yamlText);
    out(`\nWrote ${output} (${Object.keys(conversion.upstreams).length} upstreams).`);
    if (variableNames(conversion).length) {
      writeFileSync(envFile, envExample(conversion));
      out(`Moved secrets to variables: ${variableNames(conversion).join(', ')} (values not shown; names in ${envFile}).`);
      out('mcproxy needs them in its environment: `mcproxy init --install CLIENT` puts them in that client\'s config.');
    }
  } else {
    out(`\nUsing the existing ${output}.`);
  }

  if (!command.dryRun && writeConfig) out(PINNING_NOTE);
  if (command.install === undefined) {
    if (!command.dryRun) {
      if (variableNames(conversion).length) out(`Then: copy ${envFile} to .env beside it and fill in the values (mcproxy reads it); an upstream whose variable is unset is left out, with a line saying which.`);
      out(`Next: \`mcproxy list --config ${output}\` to check, then \`mcproxy init --install CLIENT\` (${CLIENTS.map((c) => c.id).join(', ')}).`);
    }
    return 0;
  }
  return install(command, place, now, output, conversion, out, fail);
}

function variableNames(conversion: Conversion): string[] {
  return [...conversion.secrets.map((secret) => secret.variable), ...conversion.inputs];
}

function install(
  command: InitCommand,
  place: Place,
  now: Date,
  output: string,
  conversion: Conversion,
  out: (line?: string) => void,
  fail: (message: string) => number,
): number {
  const client = clientById(command.install!);
  if (!client) return fail(`unknown client ${command.install}: one of ${CLIENTS.map((c) => c.id).join(', ')}`);
  const file = client.files(place).find((candidate) => existsSync(candidate));
  if (!file) return fail(`no ${client.label} config found (looked for ${client.files(place).join(', ')})`);
  const found = readClientConfig(client, file, place);
  if (found.error) return fail(`cannot change ${file}: ${found.error}`);
  // A second backup would be of mcproxy's own entry, and one --undo would no longer restore the original.
  if (Object.entries(found.servers).some(([name, server]) => launchesMcproxy(name, server))) {
    return fail(`${file} already starts mcproxy: \`mcproxy init --undo ${client.id}\` restores the original first (no second backup is made)`);
  }

  // Only the secrets the config refers to go into the client's env for mcproxy.
  const configText = existsSync(output) ? readFileSync(output, 'utf8') : mcproxyYaml(conversion, ENV_EXAMPLE);
  const copied = conversion.secrets.filter((s) => configText.includes(`\${${s.variable}}`));
  const env = Object.fromEntries(copied.map((s) => [s.variable, s.value]));
  const plan = planInstall(found, { command: process.execPath, args: [CLI_SCRIPT, '--config', output], env }, serverMapsOf(client, place));
  const secretsLine = copied.length
    ? `${command.dryRun ? 'Would copy' : 'Copied'} ${copied.length} secret(s) into the env of ${client.label}'s mcproxy entry: ${copied.map((s) => `${s.variable} (from ${s.origin})`).join(', ')}.`
    : `No secrets ${command.dryRun ? 'to copy' : 'copied'} into ${client.label}'s config.`;
  if (command.dryRun) {
    out(`\nWould change ${file} (secret values shown as ***):\n`);
    out(maskedDiff(plan, conversion.secrets.map((s) => s.value)));
    out(secretsLine);
    return 0;
  }
  const backup = applyInstall(plan, now);
  out(`\n${client.label} now starts mcproxy: ${file}`);
  out(secretsLine);
  out(`Backup: ${backup} (\`mcproxy init --undo ${client.id}\` restores it). Restart ${client.label} to use it.`);
  if (CLI_SCRIPT.includes(`${path.sep}_npx${path.sep}`)) {
    out('Warning: this mcproxy runs from npx\'s temporary cache; install it (npm install -g mcproxy) and run --install again so the path stays valid.');
  }
  return 0;
}
