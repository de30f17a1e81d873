// Opens a login URL for the person at the keyboard: the command in $BROWSER when set (with %s
// for the URL, or the URL appended), else the platform's opener. The URL is always printed
// too, so a headless machine can still log in by copying it.
import { spawn } from 'node:child_process';

export function openInBrowser(url: string, say: (line: string) => void, env: NodeJS.ProcessEnv = process.env): void {
  say(`Open this URL to log in (a browser should open it now):\n  ${url}`);
  const browser = env.BROWSER?.trim();
  const [command, args] = browser
    ? ['/bin/sh', ['-c', browser.includes('%s') ? browser.replaceAll('%s', '"$1"') : `${browser} "$1"`, 'mcproxy-browser', url]]
    : platformOpener(url);
  if (!command) return;
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: process.platform !== 'win32' });
    child.on('error', () => say(`(could not start ${command}: open the URL yourself)`));
    child.unref();
  } catch {
    say(`(could not start ${command}: open the URL yourself)`);
  }
}

function platformOpener(url: string): [string | undefined, string[]] {
  if (process.platform === 'darwin') return ['open', [url]];
  if (process.platform === 'win32') return ['cmd', ['/c', 'start', '""', url.replaceAll('&', '^&')]];
  return ['xdg-open', [url]];
}
