// Why the HTTP listener could not start, in one line instead of a stack trace.

/** 127.0.0.0/8, ::1 and localhost: reachable from this machine only. */
/** The one-line reason for a listen error, or undefined for any other error. */
export function listenFailure(error: unknown, host: string, port: number): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return `cannot listen on ${where}: the port is in use by another program (pick another with --port, or --port 0 for any free one)`;
    case 'EACCES':
      return `cannot listen on ${where}: permission denied (ports below 1024 need privileges: use a port above 1024)`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: this machine has no such address (check --host or server.host)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on ${where}: the host name does not resolve (check --host or server.host)`;
    default:
      return undefined;
  }
}
