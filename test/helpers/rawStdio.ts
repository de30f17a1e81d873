// The proxy in stdio mode driven by hand, byte for byte: for what no SDK client would send.
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, ROOT } from './paths.js';

export interface RawStdioProxy {
  child: ChildProcess;
  /** Writes raw bytes to the proxy's stdin. */
  write(data: string | Buffer): Promise<void>;
  /** The next message the proxy writes on stdout, parsed. */
  next(): Promise<Record<string, unknown>>;
  stderr(): string;
}

export function startRawStdio(configFile: string): RawStdioProxy {
  const child = spawn(process.execPath, [CLI, '--config', configFile], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, MCPROXY_LOG_LEVEL: 'info' } });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  return {
    child,
    write: (data) => new Promise((resolve, reject) => child.stdin!.write(data, (error) => (error ? reject(error) : resolve()))),
    next: () =>
      new Promise((resolve) => {
        const line = lines.shift();
        if (line !== undefined) resolve(JSON.parse(line));
        else waiting.push((l) => resolve(JSON.parse(l)));
      }),
    stderr: () => stderr,
  };
}
