// The watchdog: one small shell process per proxy that ends the process groups of its stdio
// upstreams when the proxy is gone, even killed by SIGKILL (which no exit handler sees). The
// proxy tells it "+PGID" when a group starts and "-PGID" when it ended; when the proxy dies its
// end of the pipe closes, and the watchdog reads EOF, sends SIGTERM to every group still
// listed, and SIGKILL to what is left after a grace period. A shell, not Node: it costs a
// millisecond to start and a megabyte of memory, where a Node process costs ~50 ms and ~40 MiB.
// It is in a session of its own, so a Ctrl-C meant for the proxy's terminal does not end it first;
// `ps` shows it as `/bin/sh -c ... mcproxy-watchdog`.
import { spawn, type ChildProcess } from 'node:child_process';

const SCRIPT = `
trap '' INT HUP TERM QUIT
groups=''
while read -r line; do
  case "$line" in
    +*) groups="$groups \${line#+}" ;;
    -*) kept=''; for g in $groups; do [ "$g" = "\${line#-}" ] || kept="$kept $g"; done; groups="$kept" ;;
  esac
done
[ -z "$groups" ] && exit 0
for g in $groups; do kill -TERM -"$g" 2>/dev/null; done
i=0
while [ $i -lt 15 ]; do
  left=''
  for g in $groups; do kill -0 -"$g" 2>/dev/null && left="$left $g"; done
  [ -z "$left" ] && exit 0
  sleep 0.1
  i=$((i + 1))
done
for g in $groups; do kill -KILL -"$g" 2>/dev/null; done
`;

let watchdog: ChildProcess | undefined;

function started(): ChildProcess {
  if (watchdog) return watchdog;
  const child = spawn('/bin/sh', ['-c', SCRIPT, 'mcproxy-watchdog'], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  // It must not keep the proxy alive, nor take it down if it fails to start.
  child.once('error', () => {});
  child.stdin!.on('error', () => {});
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  watchdog = child;
  return child;
}

/** Lists the group led by `pgid` with the watchdog; the returned function takes it off (once the group has ended). */
export function watchGroup(pgid: number): () => void {
  const child = started();
  child.stdin!.write(`+${pgid}\n`);
  let listed = true;
  return () => {
    if (!listed) return;
    listed = false;
    if (child.stdin!.writable) child.stdin!.write(`-${pgid}\n`);
  };
}
