// DNS-rebinding guard for the HTTP listener. A web page on another site can resolve its own
// name to 127.0.0.1 and reach a local server; checking Host and Origin stops it. Pure, so it is
// unit-tested without a socket.

export interface HostPolicy {
  /** Host header hostnames accepted; empty means any (a server bound to a public address). */
  hosts: string[];
  /** Origin header values accepted besides those whose hostname is an accepted host. */
  origins: string[];
}

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]', '::1'];

/** Whether a host name or address stays on this machine (all of 127.0.0.0/8, localhost, ::1). */
export function isLoopback(host: string): boolean {
  return LOOPBACK.includes(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** What a listener bound to `bindHost` accepts: loopback names for a loopback bind, plus the config's lists. */
export function hostPolicy(bindHost: string, allowedHosts: string[] = [], allowedOrigins: string[] = []): HostPolicy {
  const loopback = LOOPBACK.includes(bindHost);
  const hosts = [...(loopback ? LOOPBACK : []), ...allowedHosts].map((h) => h.toLowerCase());
  // A wildcard bind without an explicit list cannot know its public names: no Host check.
  return { hosts: loopback || allowedHosts.length > 0 ? hosts : [], origins: allowedOrigins };
}

/** Why a request must be refused, or undefined when it may pass. */
export function checkHostAndOrigin(policy: HostPolicy, host: string | undefined, origin: string | undefined): string | undefined {
  if (policy.hosts.length > 0) {
    const hostname = host === undefined ? undefined : hostnameOf(host);
    if (hostname === undefined || !policy.hosts.includes(hostname)) return `Host header not allowed: ${host ?? '(none)'}`;
  }
  if (origin !== undefined) {
    if (policy.origins.includes(origin)) return undefined;
    let originHost: string;
    try {
      originHost = new URL(origin).hostname.toLowerCase();
    } catch {
      return `Origin header not allowed: ${origin}`;
    }
    if (policy.hosts.length > 0 && !policy.hosts.includes(originHost)) return `Origin header not allowed: ${origin}`;
  }
  return undefined;
}

/** "localhost:8808" → "localhost", "[::1]:8808" → "[::1]". */
function hostnameOf(host: string): string {
  const value = host.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(0, value.indexOf(']') + 1);
  const colon = value.lastIndexOf(':');
  return colon === -1 ? value : value.slice(0, colon);
}
