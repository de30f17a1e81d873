/**
 * Helpers to run the official MCP conformance suite
 * (@modelcontextprotocol/conformance, server mode) against a Streamable HTTP
 * endpoint, and to start the conformance fixture server as a child process.
 *
 * The suite needs Node >= 22 while this project runs on Node 20, so it is run
 * through npx with the `node@22` npm package on PATH:
 *
 *   npx -y -p node@22 -p @modelcontextprotocol/conformance@0.1.16 -- \
 *     conformance server --url URL -o DIR
 *
 * Results are read from DIR/server-<scenario>-<timestamp>/checks.json (one
 * directory per scenario the suite ran) and cross-checked with the
 * "=== SUMMARY ===" lines it prints. A scenario fails iff one of its checks
 * has status FAILURE; WARNING and INFO checks do not fail it (as in the CLI).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONFORMANCE_PACKAGE = '@modelcontextprotocol/conformance@0.1.16';

/** Scenarios of the default ("active") server suite of 0.1.16, in run order. */
export const ACTIVE_SERVER_SCENARIOS: readonly string[] = [
  'server-initialize',
  'logging-set-level',
  'ping',
  'completion-complete',
  'tools-list',
  'tools-call-simple-text',
  'tools-call-image',
  'tools-call-audio',
  'tools-call-embedded-resource',
  'tools-call-mixed-content',
  'tools-call-with-logging',
  'tools-call-error',
  'tools-call-with-progress',
  'tools-call-sampling',
  'tools-call-elicitation',
  'elicitation-sep1034-defaults',
  'server-sse-multiple-streams',
  'elicitation-sep1330-enums',
  'resources-list',
  'resources-read-text',
  'resources-read-binary',
  'resources-templates-read',
  'resources-subscribe',
  'resources-unsubscribe',
  'prompts-list',
  'prompts-get-simple',
  'prompts-get-with-args',
  'prompts-get-embedded-resource',
  'prompts-get-with-image',
  'dns-rebinding-protection',
];

/** Scenarios 0.1.16 marks "pending" (left out of the active suite). */
export const PENDING_SERVER_SCENARIOS: readonly string[] = ['json-schema-2020-12', 'server-sse-polling'];

export interface CheckIssue {
  /** Scenario name, e.g. "tools-call-with-progress". */
  name: string;
  /** The failing (or warning) checks: "check-id: message; ...". */
  detail: string;
}

export interface ConformanceResult {
  passed: string[];
  failed: CheckIssue[];
  /** Scenarios that passed but had WARNING checks (SHOULD-level findings). */
  warnings: CheckIssue[];
  exitCode: number | null;
  durationMs: number;
  /** Combined stdout+stderr of the suite, for diagnostics. */
  output: string;
}

export interface RunOptions {
  /** Run one scenario instead of a suite. */
  scenario?: string;
  /** Suite to run when no scenario is given: "active" (default), "all" or "pending". */
  suite?: 'active' | 'all' | 'pending';
  /** Kill the suite after this long. The first run downloads node@22 (~1 min). */
  timeoutMs?: number;
}

interface Check {
  id: string;
  name?: string;
  description?: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | string;
  errorMessage?: string;
}

// Children still running, killed when this process exits so a failed or
// interrupted test run never leaves a fixture or suite behind.
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) killTree(child, 'SIGKILL');
});

/** Kills a child and, if it leads its own process group (detached), the whole group. */
function killTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

export interface StartedProcess {
  /** The URL the process printed, e.g. http://127.0.0.1:PORT/mcp */
  url: string;
  child: ChildProcess;
  /** Everything the process wrote so far (stdout+stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
  stop(): Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** First capture group is the URL. Default: /listening on (http:\/\/\S+)/ */
  urlPattern?: RegExp;
  timeoutMs?: number;
}

/**
 * Spawns a server process and resolves once it prints its URL (on stdout or
 * stderr). Rejects if it exits or stays silent past the timeout. Reusable for
 * any server that announces itself, e.g. the proxy in HTTP mode.
 */
export function startProcess(command: string, args: string[], opts: StartOptions = {}): Promise<StartedProcess> {
  const pattern = opts.urlPattern ?? /listening on (http:\/\/\S+)/;
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  return new Promise<StartedProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${command} ${args.join(' ')} printed no URL within ${opts.timeoutMs ?? 20000} ms:\n${output}`));
    }, opts.timeoutMs ?? 20000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const m = pattern.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], child, output: () => output, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      // No-op if the URL was already seen (the promise is settled).
      reject(new Error(`${command} exited (code ${code}, signal ${signal}) before printing its URL:\n${output}`));
    });
  });
}

/** dist/test/conformance/suite.js -> dist/test/fixtures/conformance-server.js */
export const FIXTURE_SCRIPT = fileURLToPath(new URL('../fixtures/conformance-server.js', import.meta.url));

/** Starts the conformance fixture server (built JS) on a free port. */
export function startConformanceFixture(opts: { port?: number } = {}): Promise<StartedProcess> {
  return startProcess(process.execPath, [FIXTURE_SCRIPT, String(opts.port ?? 0)]);
}

/** The npx invocation of the suite (exported for logs and manual reproduction). */
export function conformanceCommand(url: string, outputDir: string, opts: RunOptions = {}): string[] {
  const args = ['-y', '-p', 'node@22', '-p', CONFORMANCE_PACKAGE, '--', 'conformance', 'server', '--url', url];
  if (opts.scenario) args.push('--scenario', opts.scenario);
  else args.push('--suite', opts.suite ?? 'active');
  args.push('-o', outputDir);
  return args;
}

// Result directories are named server-<scenario>-<ISO time with : and . as ->.
const RESULT_DIR = /^server-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;
// Summary lines: "✓ tools-list: 1 passed, 0 failed" / "✗ ...".
const SUMMARY_LINE = /^([✓✗]) (\S+): (\d+) passed, (\d+) failed$/gmu;

const describeChecks = (checks: Check[]) =>
  checks.map((c) => `${c.id}: ${c.errorMessage ?? c.description ?? c.status}`).join('; ');

/**
 * Runs the conformance suite against `url` and classifies every scenario it
 * ran as passed or failed. Never rejects because scenarios fail; it rejects
 * only if the suite cannot be run at all.
 */
export async function runConformance(url: string, opts: RunOptions = {}): Promise<ConformanceResult> {
  const outDir = await mkdtemp(path.join(tmpdir(), 'mcp-conformance-'));
  const started = Date.now();
  try {
    // detached: npx starts node@22 as a grandchild; a timeout kills the group.
    const child = spawn('npx', conformanceCommand(url, outDir, opts), {
      cwd: outDir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    track(child);
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString('utf8')));
    const timeoutMs = opts.timeoutMs ?? 300_000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killTree(child, 'SIGKILL');
    }, timeoutMs);
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    }).finally(() => clearTimeout(timer));
    if (timedOut) throw new Error(`conformance suite timed out after ${timeoutMs} ms:\n${output}`);

    const passed: string[] = [];
    const failed: CheckIssue[] = [];
    const warnings: CheckIssue[] = [];
    for (const dir of (await readdir(outDir)).sort()) {
      const name = RESULT_DIR.exec(dir)?.[1];
      if (!name) continue;
      let checks: Check[];
      try {
        checks = JSON.parse(await readFile(path.join(outDir, dir, 'checks.json'), 'utf8')) as Check[];
      } catch {
        // The suite creates the directory first; no checks.json means the scenario threw.
        failed.push({ name, detail: 'scenario crashed (no checks.json); see output' });
        continue;
      }
      const failures = checks.filter((c) => c.status === 'FAILURE');
      const warns = checks.filter((c) => c.status === 'WARNING');
      if (failures.length > 0) failed.push({ name, detail: describeChecks(failures) });
      else passed.push(name);
      if (warns.length > 0) warnings.push({ name, detail: describeChecks(warns) });
    }

    // Cross-check with the printed summary (printed for suite runs only).
    for (const [, mark, name] of output.matchAll(SUMMARY_LINE)) {
      if (failed.some((f) => f.name === name)) continue;
      const i = passed.indexOf(name);
      if (mark === '✗') {
        if (i >= 0) passed.splice(i, 1);
        failed.push({ name, detail: 'reported failed in the suite summary' });
      } else if (i < 0) {
        failed.push({ name, detail: 'in the suite summary but no result directory' });
      }
    }
    // A non-zero exit with nothing classified as failed: surface it anyway.
    if (exitCode !== 0 && failed.length === 0) {
      failed.push({ name: '(suite)', detail: `exited with code ${exitCode}:\n${output.slice(-4000)}` });
    }
    return { passed, failed, warnings, exitCode, durationMs: Date.now() - started, output };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/** Assertion message listing every failed scenario and why. */
export function describeFailures(result: ConformanceResult): string {
  if (result.failed.length === 0) return 'no failures';
  return (
    `${result.failed.length} conformance scenario(s) failed:\n` +
    result.failed.map((f) => `  - ${f.name}: ${f.detail}`).join('\n')
  );
}
