/**
 * Conformance verdicts mcproxy cannot reach because of what the upstream can
 * say, not because of mcproxy: per row ("<upstream> @ <revision>", see
 * conformance.test.ts and proxy-client.test.ts), the scenarios whose verdict
 * through mcproxy differs from the reference's ("scenario"), or that get a
 * SHOULD-level warning the reference does not get ("scenario: check-id").
 *
 * The tests fail on a difference not listed here (a regression) and on a
 * listed one that no longer differs (stale: delete it), so this list only
 * shrinks. Rows not named here must match the reference exactly.
 */
export const LIMIT_REASON = 'a 2025-11-25 upstream cannot say what the scenario checks';

/**
 * A 2026-07-28 client through mcproxy in front of an upstream served on the
 * 2025-11-25 path (the dual fixtures under `protocol: legacy`, and the
 * legacy-only one). The upstream's requests during a call reach the client as
 * `input_required` (session/inputRequired.ts), but a 2025-11-25 server's
 * requests carry no key and it never sees the request's `_meta`:
 */
const SERVER_2026_IN_FRONT_OF_LEGACY: readonly string[] = [
  // The elicitation request has no key: the client is asked under mcproxy's
  // key ("conformance-1"), not the "user_name" the scenario expects.
  'input-required-result-basic-elicitation',
  // The server cannot read the request's `_meta` capabilities, so the
  // fixture's tool asks for nothing and completes.
  'input-required-result-capability-check',
  // Answers sent with a first call (no requestState) cannot be matched to the
  // server's requests, which carry no key: the call asks again.
  'input-required-result-ignore-extra-params: sep-2322-ignore-unexpected-params',
];

export const LEGACY_UPSTREAM_LIMITS: Readonly<Record<string, readonly string[]>> = {
  'dual @ 2026-07-28': SERVER_2026_IN_FRONT_OF_LEGACY,
  'dual-stdio @ 2026-07-28': SERVER_2026_IN_FRONT_OF_LEGACY,
  'legacy-only @ 2026-07-28': SERVER_2026_IN_FRONT_OF_LEGACY,
};
