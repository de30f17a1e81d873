// The floor of any proxy process: a Node process between a client and a stdio server that only
// copies bytes each way (no parsing, no routing). What a proxy costs beyond this is its own work;
// up to this is the extra process hop itself (two more pipe wake-ups a call). Bench only.
const { spawn } = require('node:child_process');

const [command, ...args] = process.argv.slice(2);
const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
process.stdin.on('data', (chunk) => child.stdin.write(chunk));
child.stdout.on('data', (chunk) => process.stdout.write(chunk));
process.stdin.on('end', () => child.stdin.end());
child.on('exit', (code) => process.exit(code ?? 1));
