// A stdio proxy without `server.admin.port` serves no metrics, status or admin endpoints: it
// runs these empty operations, and never loads ops/operations.ts and what that uses.
import type { ProxyConfig } from '../config/schema.js';
import { NO_FILTERS } from '../telemetry/filters.js';
import type { Operations } from './operations.js';

export const NO_OPERATIONS: Operations = { filters: NO_FILTERS, beforeAuth: [], afterAuth: [], close: async () => {} };

/** Whether this proxy has operations to run: over HTTP, or with an admin listener of its own. */
export function servesOperations(server: Pick<ProxyConfig['server'], 'transport' | 'admin'>): boolean {
  return server.transport !== 'stdio' || server.admin?.port !== undefined;
}
