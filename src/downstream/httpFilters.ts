// The HTTP listener's filter chain as the config asks for it, in order: what operations put
// first (byte meter, public admin endpoints), OAuth metadata (public), failed-auth throttle,
// auth, admin endpoints behind auth, rate limit, session cap, in-flight bounds, and the JSON body (size
// and nesting).
import type { ProxyConfig } from '../config/schema.js';
import { authFilter, requiresCredentials } from './auth/authFilter.js';
import { protectedResourceMetadata } from './auth/protectedResourceMetadata.js';
import type { HttpFilter } from './filters.js';
import { authFailureLimit } from './limits/authFailures.js';
import { inFlightLimit, sessionCap } from './limits/capacity.js';
import { jsonBody } from './limits/jsonBody.js';
import { rateLimit } from './limits/rateLimit.js';

export function httpFilters({ auth, limits }: ProxyConfig['server'], extra: { beforeAuth?: HttpFilter[]; afterAuth?: HttpFilter[] } = {}): HttpFilter[] {
  return [
    ...(extra.beforeAuth ?? []),
    ...(auth?.oauth ? [protectedResourceMetadata(auth.oauth)] : []),
    ...(requiresCredentials(auth) ? [authFailureLimit(), authFilter(auth)] : []),
    ...(extra.afterAuth ?? []),
    ...(limits.rateLimit ? [rateLimit(limits.rateLimit)] : []),
    sessionCap(limits.maxSessions),
    inFlightLimit(limits),
    jsonBody(limits),
  ];
}
