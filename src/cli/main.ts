#!/usr/bin/env node
// The `mcproxy` command: `run` starts from the launch bundle where the build made one
// (launchBundle.ts), every other command from the modules themselves (commands.ts), which load
// only what the command uses: `mcproxy --version` reads no bundle.
// The heap flags first: V8 accepts a code cache only under the flags it was made with.
import './heapFlags.js';
import { parseCommand } from './args.js';

let command: string | undefined;
try {
  command = parseCommand(process.argv.slice(2)).kind;
} catch {
  // commands.ts says what is wrong with the arguments
}
if (command !== 'run' || !(await import('./launchBundle.js')).runBundle()) await import('./commands.js');
