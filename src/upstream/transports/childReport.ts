// What a stdio upstream's child process did that explains a failure: how it exited, the last
// lines it wrote on stderr, and anything that was not MCP on its stdout.

/** How many stderr lines are shown; the last ones usually say why a server gave up. */
const STDERR_LINES = 5;
/** How many are kept to choose from: a Node crash ends in a stack and an object dump, not its message. */
const KEPT_LINES = 30;
/** An error's message line (`Error: …`, `TypeError [ERR_X]: …`, mcp-remote's `[pid] Error: …`). */
const ERROR_LINE = /^(?:\[\d+\] )?(?:Uncaught )?(?:[A-Z]\w*)?(?:Error|Exception)(?: \[\w+\])?: \S/;
const MAX_LINE = 300;

export class ChildReport {
  private exit?: { code: number | null; signal: NodeJS.Signals | null };
  private readonly stderrLines: string[] = [];
  private partialLine = '';
  private strayOutput?: string;

  constructor(private readonly command: string) {}

  noteStderr(chunk: Buffer): void {
    const lines = (this.partialLine + chunk.toString('utf8')).split('\n');
    // Only the start of a line is ever kept: a child writing megabytes without a newline must not grow this.
    this.partialLine = (lines.pop() ?? '').slice(0, MAX_LINE + 1);
    for (const line of lines) this.keepLine(line);
  }

  /** Records the first non-protocol line; true if it is the first (worth a log line). */
  noteStrayOutput(line: string): boolean {
    if (this.strayOutput !== undefined) return false;
    this.strayOutput = line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line;
    return true;
  }

  noteExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.partialLine) this.keepLine(this.partialLine);
    this.partialLine = '';
    this.exit = { code, signal };
  }

  /** "exited with code 1" or "was killed by SIGKILL". */
  describeExit(): string {
    if (!this.exit) return 'is running';
    return this.exit.signal ? `was killed by ${this.exit.signal}` : `exited with code ${this.exit.code}`;
  }

  /**
   * Everything known that explains a failure, or undefined when nothing is. Stderr alone is
   * included only with `stderrAlone` (a server that never answered initialize often says why
   * there); for a running server's slow call it would be noise.
   */
  describe(stderrAlone = false): string | undefined {
    const parts: string[] = [];
    if (this.exit) parts.push(`the process ${this.describeExit()}`);
    if (this.strayOutput !== undefined) {
      parts.push(`it wrote non-protocol output on stdout (${JSON.stringify(this.strayOutput)}); stdout must carry only MCP messages`);
    }
    if ((parts.length > 0 || stderrAlone) && this.stderrLines.length > 0) parts.push(`last stderr: ${explaining(this.stderrLines).join(' | ')}`);
    return parts.length > 0 ? parts.join('; ') : undefined;
  }

  /** The spawn failure in words (spawnFailure). */
  spawnError(error: unknown): Error {
    return spawnFailure(this.command, error);
  }

  private keepLine(line: string): void {
    const trimmed = line.trimEnd();
    if (!trimmed) return;
    this.stderrLines.push(trimmed.length > MAX_LINE ? `${trimmed.slice(0, MAX_LINE)}…` : trimmed);
    if (this.stderrLines.length > KEPT_LINES) this.stderrLines.shift();
  }
}

/**
 * The stderr lines that say why: an error's message when there is one (not the stack frames,
 * source excerpt and `{ code: …, syscall: … }` dump Node prints after it), else the last lines
 * that are not indented continuation or Node's version banner.
 */
function explaining(lines: readonly string[]): string[] {
  const errors = lines.filter((line) => ERROR_LINE.test(line));
  if (errors.length > 0) return [...new Set(errors)].slice(-2);
  const plain = lines.filter((line) => !/^\s/.test(line) && !/^[{}()[\]^]+,?$/.test(line.trim()) && !/^Node\.js v\d/.test(line));
  return (plain.length > 0 ? plain : lines).slice(-STDERR_LINES);
}

/** A spawn failure in words: a missing command is the usual one. */
export function spawnFailure(command: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new Error(`command not found: ${command} (check \`command\`, \`cwd\` and PATH)`);
  if (code === 'EACCES') return new Error(`permission denied running ${command} (is it executable?)`);
  return error instanceof Error ? error : new Error(String(error));
}
