// The one actionable message for an upstream that cannot be used until someone logs in.

export class NeedsLoginError extends Error {
  readonly needsLogin = true;
  constructor(
    readonly upstream: string,
    /** What is missing, e.g. "its refresh token was rejected"; undefined: never logged in. */
    readonly reason?: string,
    /** Where the person can log in, when the proxy started a login itself (connect page, loopback). */
    readonly loginUrl?: string,
    /** credentials: perUser: the person behind the connection logs in, at the gateway's connect page. */
    readonly perUser = false,
  ) {
    super(needsLoginMessage(upstream, reason, perUser));
  }
}

export function needsLoginMessage(upstream: string, reason?: string, perUser = false): string {
  const why = reason ? ` (${reason})` : '';
  if (perUser) return `Upstream '${upstream}' needs login${why}: credentials: perUser, so each person connects their own account at the link mcproxy gives them with this error`;
  return `Upstream '${upstream}' needs login${why}: run \`mcproxy auth login ${upstream}\``;
}

/** Whether `error`, or an error it wraps, says an upstream needs a login. */
export function asNeedsLogin(error: unknown): NeedsLoginError | undefined {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    if ((cause as Partial<NeedsLoginError>).needsLogin === true) return cause as NeedsLoginError;
    // The same error once it became the client's error (errors.ts keeps the mark in `data`).
    if ((cause as { data?: { needsLogin?: unknown } }).data?.needsLogin === true) return cause as NeedsLoginError;
  }
  return undefined;
}
