#!/usr/bin/env node
// The `mcproxy` command: `run` starts from the launch bundle where the build made one
// (launchBundle.ts), every other command from the modules themselves (commands.ts), which load
// only what the command uses: `mcproxy --version` reads no bundle.
// The heap flags first: V8 accepts a code cache only under the flags it was made with.
import './heapFlags.js';
import { parseCommand, type Command } from './args.js';

let command: Command | undefined;
try {
  command = parseCommand(process.argv.slice(2));
} catch {
  // commands.ts says what is wrong with the arguments
}
if (command?.kind === 'run' && command.transport !== 'http') {
  // The servers of the launch plan start before the bundle loads (earlyChildren.ts).
  const [{ plannedUpstreams }, { startEarly }] = await Promise.all([import('./launchPlan.js'), import('../upstream/transports/earlyChildren.js')]);
  startEarly(plannedUpstreams(command.config, command.profile));
}
if (command?.kind !== 'run' || !(await import('./launchBundle.js')).runBundle()) await import('./commands.js');
