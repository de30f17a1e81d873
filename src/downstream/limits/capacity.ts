// How much the listener takes on at once: open sessions, and requests in flight overall and per
// session. Past a bound: 503 with Retry-After, so a client backs off instead of piling on.
import type { LimitsConfig } from '../../config/authSchema.js';
import { reply, type HttpFilter } from '../filters.js';

export function sessionCap(maxSessions: number): HttpFilter {
  return (req, res, context) => {
    if (req.method !== 'POST' || context.sessionId !== undefined || context.sessionCount < maxSessions) return true;
    reply(res, 503, -32000, `Server busy: ${maxSessions} sessions open, the most allowed`, { 'retry-after': '5' });
    return false;
  };
}

/** POSTs in flight, released when their response ends (a GET's long-lived stream is not a request). */
export function inFlightLimit(limits: Pick<LimitsConfig, 'maxInFlight' | 'maxInFlightPerSession'>): HttpFilter {
  let total = 0;
  const perSession = new Map<string, number>();
  return (req, res, context) => {
    if (req.method !== 'POST') return true;
    const session = context.sessionId;
    const mine = session === undefined ? 0 : (perSession.get(session) ?? 0);
    const refusal =
      total >= limits.maxInFlight ? `${limits.maxInFlight} requests in flight, the most allowed`
      : mine >= limits.maxInFlightPerSession ? `${limits.maxInFlightPerSession} requests in flight in this session, the most allowed`
      : undefined;
    if (refusal) {
      reply(res, 503, -32000, `Server busy: ${refusal}`, { 'retry-after': '1' });
      return false;
    }
    total++;
    if (session !== undefined) perSession.set(session, mine + 1);
    res.once('close', () => {
      total--;
      if (session === undefined) return;
      const left = (perSession.get(session) ?? 1) - 1;
      if (left > 0) perSession.set(session, left);
      else perSession.delete(session);
    });
    return true;
  };
}
