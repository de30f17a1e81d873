// The mcproxy CLI run to its end, and a "browser" for its logins, for the upstream OAuth tests.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, ROOT } from './paths.js';

/** A "browser" that follows the authorization redirect to mcproxy's loopback callback. */
export function followingBrowser(dir: string): string {
  const script = path.join(dir, 'browser.mjs');
  writeFileSync(script, 'const r = await fetch(process.argv[2]); await r.text();\n');
  return `${process.execPath} ${script}`;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the mcproxy CLI to its end. */
export function cli(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
