/**
 * Helpers to run the official MCP conformance suite
 * (@modelcontextprotocol/conformance 0.2.0-alpha) against a Streamable HTTP
 * endpoint (server mode) or a client command (client mode), and to start the
 * fixture servers as child processes.
 *
 * The suite needs Node >= 22 while this project runs on Node 20, so it is run
 * through npx with the `node@22` npm package on PATH, as its README says:
 *
 *   npx -y -p node@22 -p @modelcontextprotocol/conformance@0.2.0-alpha.12 -- \
 *     conformance server --url URL --requirements 2026-07-28 -o DIR
 *   npx ... -- conformance client --command CMD --scenario NAME --spec-version 2025-11-25 -o DIR
 *
 * A requirement set runs exactly what a revision requires, at that
 * revision's wire (2025-11-25: initialize and sessions; 2026-07-28:
 * stateless, per-request `_meta`), plus scenarios it reports but does not
 * score (extensions, pending, added after release).
 *
 * Results are read from DIR/[server-]<scenario>-<timestamp>/checks.json (one
 * directory per scenario the suite ran) and cross-checked with the summary
 * lines it prints. A scenario fails iff one of its checks has status FAILURE;
 * WARNING and INFO checks do not fail it (as in the CLI).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { LEGACY_UPSTREAM_LIMITS, LIMIT_REASON } from './legacyUpstreamLimits.js';

export const CONFORMANCE_PACKAGE = '@modelcontextprotocol/conformance@0.2.0-alpha.12';

/** The protocol revisions with a frozen requirement set. */
export type Revision = '2026-07-28' | '2025-11-25';
export const REVISIONS: readonly Revision[] = ['2026-07-28', '2025-11-25'];

/**
 * The server scenarios each revision requires (scored), as
 * `conformance list --requirements REV` prints them for the pinned version.
 * A run that scores fewer is a shorter run, not a pass.
 */
export const REQUIRED_SERVER_SCENARIOS: Record<Revision, readonly string[]> = {
  '2026-07-28': [
    'server-stateless',
    'completion-complete',
    'tools-list',
    'tools-call-simple-text',
    'tools-call-image',
    'tools-call-audio',
    'tools-call-embedded-resource',
    'tools-call-mixed-content',
    'tools-call-error',
    'tools-call-with-progress',
    'server-sse-multiple-streams',
    'resources-list',
    'resources-read-text',
    'resources-read-binary',
    'resources-templates-read',
    'sep-2164-resource-not-found',
    'prompts-list',
    'prompts-get-simple',
    'prompts-get-with-args',
    'prompts-get-embedded-resource',
    'prompts-get-with-image',
    'dns-rebinding-protection',
    'caching',
    'input-required-result-basic-elicitation',
    'input-required-result-basic-sampling',
    'input-required-result-basic-list-roots',
    'input-required-result-request-state',
    'input-required-result-multiple-input-requests',
    'input-required-result-multi-round',
    'input-required-result-missing-input-response',
    'input-required-result-non-tool-request',
    'input-required-result-result-type',
    'input-required-result-unsupported-methods',
    'input-required-result-tampered-state',
    'input-required-result-capability-check',
    'input-required-result-ignore-extra-params',
    'input-required-result-validate-input',
  ],
  '2025-11-25': [
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
  ],
};

/**
 * The client scenarios each revision requires that need no authorization
 * server (the auth/* ones are issue 15's), plus the one it runs unscored
 * (json-schema-2020-12-preservation, added after release).
 */
export const NON_AUTH_CLIENT_SCENARIOS: Record<Revision, readonly string[]> = {
  '2026-07-28': [
    'tools_call',
    'request-metadata',
    'sep-2322-client-request-state',
    'http-standard-headers',
    'http-custom-headers',
    'http-invalid-tool-headers',
    'json-schema-ref-no-deref',
    'json-schema-2020-12-preservation',
  ],
  '2025-11-25': ['initialize', 'tools_call', 'elicitation-sep1034-client-defaults', 'sse-retry', 'json-schema-2020-12-preservation'],
};

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
  /** Scenarios the requirement set ran without scoring them (extension, pending, added after release). */
  notScored: string[];
  /** Scenarios the suite skipped as not applicable at the requested version. */
  skipped: string[];
  exitCode: number | null;
  durationMs: number;
  /** Combined stdout+stderr of the suite, for diagnostics. */
  output: string;
}

export interface RunOptions {
  /** Run exactly what this revision requires, at its wire (replaces scenario and suite). */
  requirements?: Revision;
  /** Run one scenario instead of a suite. */
  scenario?: string;
  /** Run these scenarios one after another (with `specVersion`). */
  scenarios?: readonly string[];
  /** Suite to run when neither requirements nor scenario is given (server mode: active, all, pending, draft). */
  suite?: string;
  /** The wire version for `scenario` or `suite` (`--spec-version`). */
  specVersion?: Revision;
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

/** dist/test/conformance/suite.js -> dist/test/fixtures/conformance-server.js (SDK v2 low-level Server, 2025-11-25 sessions only) */
export const FIXTURE_SCRIPT = fileURLToPath(new URL('../fixtures/conformance-server.js', import.meta.url));
/** dist/test/conformance/suite.js -> dist/test/fixtures/modern-server.js (SDK v2, both eras) */
export const MODERN_FIXTURE_SCRIPT = fileURLToPath(new URL('../fixtures/modern-server.js', import.meta.url));

/** Starts the low-level (2025-11-25 sessions only) conformance fixture server on a free port. */
export function startConformanceFixture(opts: { port?: number } = {}): Promise<StartedProcess> {
  return startProcess(process.execPath, [FIXTURE_SCRIPT, String(opts.port ?? 0)]);
}

/** How the modern fixture serves: both eras (the reference), or one of them alone. */
export type ModernFixtureMode = 'dual' | 'modern-only' | 'legacy-only';

/** Starts the SDK v2 fixture server over Streamable HTTP on a free port. */
export function startModernFixture(mode: ModernFixtureMode = 'dual'): Promise<StartedProcess> {
  return startProcess(process.execPath, [MODERN_FIXTURE_SCRIPT, ...(mode === 'dual' ? [] : [`--${mode}`])]);
}

/** What the suite is pointed at: a server URL (server mode) or a client command (client mode). */
export type Target = { server: string } | { clientCommand: string };

/** The suite's own arguments (after `conformance`) for one invocation. */
function suiteArgs(target: Target, outputDir: string, opts: RunOptions, scenario = opts.scenario): string[] {
  const args = 'server' in target ? ['server', '--url', target.server] : ['client', '--command', target.clientCommand];
  if (opts.requirements) args.push('--requirements', opts.requirements);
  else if (scenario) args.push('--scenario', scenario);
  else args.push('--suite', opts.suite ?? 'active');
  if (!opts.requirements && opts.specVersion) args.push('--spec-version', opts.specVersion);
  args.push('-o', outputDir);
  return args;
}

/** The shell loop's variable, left unquoted for the shell to expand. */
const SCENARIO_VAR = '"$s"';

/** npx's arguments that put node@22 and the suite on PATH. */
const NPX = ['-y', '-p', 'node@22', '-p', CONFORMANCE_PACKAGE, '--'];

/**
 * The suite's command line after npx's arguments: `conformance ...`, or for several `scenarios`
 * a shell loop running them one after another.
 */
function suiteCommand(target: Target, outputDir: string, opts: RunOptions): string[] {
  if (!opts.scenarios) return ['conformance', ...suiteArgs(target, outputDir, opts)];
  // sh -c 'rc=0; for s; do conformance ... --scenario "$s" ... || rc=1; done; exit $rc' sh s1 s2 ...
  const quoted = suiteArgs(target, outputDir, opts, SCENARIO_VAR)
    .map((a) => (a === SCENARIO_VAR ? a : `'${a.replaceAll("'", `'\\''`)}'`))
    .join(' ');
  return ['sh', '-c', `rc=0; for s; do conformance ${quoted} || rc=1; done; exit $rc`, 'sh', ...opts.scenarios];
}

/** The npx invocation of the suite, for logs and manual reproduction. */
export function conformanceCommand(target: Target, outputDir: string, opts: RunOptions = {}): string[] {
  return [...NPX, ...suiteCommand(target, outputDir, opts)];
}

let suiteBin: Promise<string> | undefined;

/**
 * The folder in npx's cache that holds node@22 and the suite's `conformance`, asked of npx once
 * per test run. npx takes seconds to start (it checks the registry each time), so every run
 * after the first starts the suite from that folder directly, with the same node and package.
 */
function suiteBinDir(): Promise<string> {
  suiteBin ??= new Promise<string>((resolve, reject) => {
    const child = spawn('npx', [...NPX, 'sh', '-c', 'command -v conformance'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => {
      const bin = out.trim().split('\n').pop() ?? '';
      if (code === 0 && path.isAbsolute(bin)) resolve(path.dirname(bin));
      else reject(new Error(`npx could not provide ${CONFORMANCE_PACKAGE} (exit ${code}):\n${err.slice(-2000)}`));
    });
  });
  suiteBin.catch(() => (suiteBin = undefined));
  return suiteBin;
}

/** The environment to run `conformance` in: node@22 and the suite first on PATH, no colours. */
export async function suiteEnv(): Promise<NodeJS.ProcessEnv> {
  const bin = await suiteBinDir();
  return { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1' };
}

// Result directories are named [server-]<scenario>-<ISO time with : and . as ->.
const RESULT_DIR = /^(?:server-)?(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;
// Summary lines: "✓ tools-list: 1 passed, 0 failed" / "✗ ...: 1 passed, 2 failed, 1 warnings".
const SUMMARY_LINE = /^([✓✗]) (\S+): (\d+) passed, (\d+) failed/gmu;
// Under "Not scored for REV: ..." lines like "  ✗ tasks-lifecycle (extension)".
const NOT_SCORED_LINE = /^ {2}[✓✗] (\S+) \((extension|pending|added-after-release)\)$/gmu;
// "- x: skipped" (a suite run at a --spec-version outside the scenario's window).
const SKIPPED_LINE = /^- (\S+): skipped$/gmu;

const describeChecks = (checks: Check[]) =>
  checks.map((c) => `${c.id}: ${c.errorMessage ?? c.description ?? c.status}`).join('; ');

/**
 * Runs the conformance suite against `target` and classifies every scenario
 * it ran as passed or failed. Never rejects because scenarios fail; it rejects
 * only if the suite cannot be run at all.
 */
export async function runConformance(target: string | Target, opts: RunOptions = {}): Promise<ConformanceResult> {
  const resolved: Target = typeof target === 'string' ? { server: target } : target;
  const outDir = await mkdtemp(path.join(tmpdir(), 'mcp-conformance-'));
  const started = Date.now();
  try {
    const env = await suiteEnv();
    const [command, ...args] = suiteCommand(resolved, outDir, opts);
    // detached: the suite may start children of its own; a timeout kills the group.
    const child = spawn(command!, args, {
      cwd: outDir,
      env,
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

    // Cross-check with the printed summary (printed for suite and requirement runs).
    for (const [, mark, name, , failedChecks] of output.matchAll(SUMMARY_LINE)) {
      if (failed.some((f) => f.name === name)) continue;
      const i = passed.indexOf(name);
      if (mark === '✗' && failedChecks !== '0') {
        if (i >= 0) passed.splice(i, 1);
        failed.push({ name, detail: 'reported failed in the suite summary' });
      } else if (i < 0) {
        failed.push({ name, detail: 'in the suite summary but no result directory' });
      }
    }
    const notScored = [...output.matchAll(NOT_SCORED_LINE)].map((m) => m[1]);
    const skipped = [...output.matchAll(SKIPPED_LINE)].map((m) => m[1]);
    // A non-zero exit with nothing classified as failed: surface it anyway.
    if (exitCode !== 0 && failed.length === 0) {
      failed.push({ name: '(suite)', detail: `exited with code ${exitCode}:\n${output.slice(-4000)}` });
    }
    return { passed, failed, warnings, notScored, skipped, exitCode, durationMs: Date.now() - started, output };
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

/** A scenario's outcome in one run: what "the same verdict" compares. */
export type Verdict = 'pass' | 'fail';

/** scenario -> verdict, for every scenario a run reported. */
export function verdicts(result: ConformanceResult): Map<string, Verdict> {
  const map = new Map<string, Verdict>();
  for (const name of result.passed) map.set(name, 'pass');
  for (const { name } of result.failed) map.set(name, 'fail');
  return map;
}

/** Scenarios whose verdict differs between two runs (or that only one of them ran), sorted. */
export function differingScenarios(reference: ConformanceResult, other: ConformanceResult): string[] {
  const a = verdicts(reference);
  const b = verdicts(other);
  return [...new Set([...a.keys(), ...b.keys()])].filter((name) => a.get(name) !== b.get(name)).sort();
}

/** One line per scenario: "name: reference pass, other fail (why)". */
export function describeDifferences(
  names: readonly string[],
  reference: ConformanceResult,
  other: ConformanceResult,
  labels: [string, string] = ['reference', 'through mcproxy'],
): string {
  const a = verdicts(reference);
  const b = verdicts(other);
  const why = (r: ConformanceResult, name: string) => r.failed.find((f) => f.name === name)?.detail;
  return names
    .map((name) => {
      const reason = why(other, name) ?? why(reference, name);
      return `  - ${name}: ${labels[0]} ${a.get(name) ?? 'not run'}, ${labels[1]} ${b.get(name) ?? 'not run'}${reason ? ` (${reason.slice(0, 300)})` : ''}`;
    })
    .join('\n');
}

/** Verdict table rows for logs and reports: "scenario  reference  other". */
export function verdictTable(reference: ConformanceResult, other?: ConformanceResult): string {
  const a = verdicts(reference);
  const b = other ? verdicts(other) : undefined;
  const names = [...new Set([...a.keys(), ...(b?.keys() ?? [])])];
  const width = Math.max(...names.map((n) => n.length));
  return names
    .map((n) => `${n.padEnd(width)}  ${a.get(n) ?? '-'}${b ? `  ${b.get(n) ?? '-'}` : ''}${reference.notScored.includes(n) ? '  (not scored)' : ''}`)
    .join('\n');
}

/** "scenario: check-id" for every warning check of a run. */
const warnedChecks = (result: ConformanceResult) =>
  result.warnings.flatMap((w) => w.detail.split('; ').map((check) => `${w.name}: ${check.split(':')[0]}`));

/** The title suffix of a row with differences its upstream makes inevitable (see legacyUpstreamLimits.ts). */
export function pendingNote(key: string): string {
  const limited = LEGACY_UPSTREAM_LIMITS[key]?.length ?? 0;
  return limited > 0 ? ` [${limited} difference(s) listed, ${LIMIT_REASON}: see legacyUpstreamLimits.ts]` : '';
}

/**
 * Asserts `result` gets the reference's verdict on every scenario and no
 * SHOULD-level warning the reference does not get, except the differences
 * listed under `key` ("scenario" or "scenario: warned-check-id"), which must
 * still be differences (or the entry is stale).
 */
export function assertSameVerdicts(key: string, reference: ConformanceResult, result: ConformanceResult): void {
  if (process.env.CONFORMANCE_TABLES) console.log(`\n${key}: scenario, reference, this run\n${verdictTable(reference, result)}\n`);
  const awaited = LEGACY_UPSTREAM_LIMITS[key] ?? [];
  const differing = differingScenarios(reference, result);
  const referenceWarnings = new Set(warnedChecks(reference));
  const extraWarnings = warnedChecks(result).filter((w) => !referenceWarnings.has(w) && !differing.includes(w.split(':')[0]));
  const unexpected = differing.filter((name) => !awaited.includes(name));
  assert.deepEqual(unexpected, [], `${key}: verdicts that differ from the reference:\n${describeDifferences(unexpected, reference, result)}`);
  const unexpectedWarnings = extraWarnings.filter((w) => !awaited.includes(w));
  assert.deepEqual(unexpectedWarnings, [], `${key}: warnings the reference does not get`);
  const stale = awaited.filter((entry) => !differing.includes(entry) && !extraWarnings.includes(entry));
  assert.deepEqual(stale, [], `${key}: now as the reference, so remove from LEGACY_UPSTREAM_LIMITS['${key}']`);
}
