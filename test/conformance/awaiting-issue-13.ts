/**
 * Conformance verdicts mcproxy does not reach yet and issue 13 (both protocol
 * eras, bridged) must: per row ("<upstream> @ <revision>", see
 * conformance.test.ts and proxy-client.test.ts), the scenarios whose verdict
 * through mcproxy still differs from the reference's ("scenario"), or that
 * gets a SHOULD-level warning the reference does not get ("scenario: check-id").
 * Each group below says which part of issue 13 it waits for.
 *
 * The tests fail on a difference not listed here (a regression) and on a
 * listed one that no longer differs (stale: delete it), so this list only
 * shrinks. When issue 13 lands it is empty; then delete the file.
 */
export const AWAITING_REASON = 'issue 13 in progress, each entry says what it waits for';

// Taken against issue 13 at 53b9059 (SDK v2; 2026-07-28 served over stdio and
// HTTP; upstream `protocol: auto | legacy | modern`) with conformance
// 0.2.0-alpha.12. Every 2025-11-25 row in front of a 2025-speaking upstream
// gets the reference's verdict; so do the 2026-07-28 lists, reads, calls,
// completions, caching, headers and resource-not-found scenarios.

/** The 2026-07-28 multi round-trip scenarios: the reference answers each with `input_required`. */
const INPUT_REQUIRED_SCENARIOS: readonly string[] = [
  'input-required-result-basic-elicitation',
  'input-required-result-basic-list-roots',
  'input-required-result-basic-sampling',
  'input-required-result-capability-check',
  'input-required-result-multi-round',
  'input-required-result-multiple-input-requests',
  'input-required-result-non-tool-request',
  'input-required-result-request-state',
  'input-required-result-result-type',
  'input-required-result-tampered-state',
];

/**
 * A 2026-07-28 client through mcproxy in front of an upstream served on the
 * 2025-11-25 path (the dual fixtures under `protocol: legacy`,
 * and the legacy-only one).
 */
const SERVER_2026_IN_FRONT_OF_LEGACY: readonly string[] = [
  // Scope 2: the Mcp-Param-* headers of a tool's x-mcp-header parameters are
  // not checked against the body (no 400 with -32020 on a mismatch or bad characters).
  'http-custom-header-server-validation',
  // Scope 4, first bridge: the upstream's elicitation, sampling and roots
  // requests during a modern client's call do not become an `input_required`
  // result (the call completes, or a prompt fails: "Method 'elicitation/create'
  // is not supported by the negotiated protocol version").
  ...INPUT_REQUIRED_SCENARIOS,
  // The same bridge: with no `input_required` to answer, these checks can only warn.
  'input-required-result-missing-input-response: sep-2322-missing-response-rerequests',
  'input-required-result-validate-input: sep-2322-validate-input-responses',
  'input-required-result-validate-input: sep-2322-error-on-protocol-error',
  // Scope 2: a call that needs a client capability the request's `_meta` does
  // not declare (here sampling) runs instead of failing with -32021 (the first
  // of the scenario's checks that fails).
  'server-stateless',
];

export const AWAITING_ISSUE_13: Readonly<Record<string, readonly string[]>> = {
  'dual @ 2026-07-28': SERVER_2026_IN_FRONT_OF_LEGACY,
  'dual-stdio @ 2026-07-28': SERVER_2026_IN_FRONT_OF_LEGACY,
  'legacy-only @ 2026-07-28': SERVER_2026_IN_FRONT_OF_LEGACY,
  // In front of an upstream that speaks only 2026-07-28 (`protocol: auto`).
  'modern-only @ 2026-07-28': [
    // Scope 2: Mcp-Param-* headers are not forwarded, so the upstream refuses
    // the call with -32020 (Mcp-Param-Region absent).
    'http-custom-header-server-validation',
    // Scope 4, modern↔modern relay: mcproxy's upstream client meets the
    // upstream's `input_required` with no handler and fails the call ("Cannot
    // fulfil input request ... no handler is registered for 'elicitation/create'").
    ...INPUT_REQUIRED_SCENARIOS,
    // The same relay: with no `input_required` to answer, these checks can only warn.
    'input-required-result-ignore-extra-params: sep-2322-ignore-unexpected-params',
    'input-required-result-missing-input-response: sep-2322-missing-response-rerequests',
    // Scope 2: an unknown method the upstream answers with -32601 reaches the
    // client as HTTP 200, not 404.
    'server-stateless',
  ],
  'modern-only @ 2025-11-25': [
    // Scope 4, second bridge: the upstream's `input_required` does not become
    // real elicitation/sampling requests on the 2025 client's session.
    'elicitation-sep1034-defaults',
    'elicitation-sep1330-enums',
    'tools-call-elicitation',
    'tools-call-sampling',
    // Scope 3/4: resources/subscribe is not mapped onto the upstream's
    // subscriptions/listen ("not supported by the negotiated protocol version").
    'resources-subscribe',
    'resources-unsubscribe',
  ],
  // mcproxy as the client of a 2026-07-28 scenario server (`protocol: modern`).
  'client @ 2026-07-28': [
    // Scope 2: mcproxy's call to the server carries no Mcp-Param-* headers for
    // the tool's x-mcp-header parameters.
    'http-custom-headers',
    // Scope 4: the server's `input_required` is not relayed (no requestState echoed).
    'sep-2322-client-request-state',
  ],
};
