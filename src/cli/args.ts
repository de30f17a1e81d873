// Command-line parsing: pure, so every flag combination is unit-tested.
import { parseArgs } from 'node:util';
import { parseVconCommand, type VconCommand } from './vconArgs.js';

export type Command =
  | { kind: 'run'; config?: string; transport?: 'stdio' | 'http'; host?: string; port?: number }
  | { kind: 'validate'; config?: string }
  | { kind: 'list'; config?: string; json: boolean }
  | VconCommand
  | { kind: 'help' }
  | { kind: 'version' };

export const USAGE = `Usage:
  mcproxy [--config FILE] [--transport stdio|http] [--host H] [--port N]
                                   run the proxy (default config: ./mcproxy.yaml, else config/mcproxy.yaml)
  mcproxy validate [--config FILE] check the config; lists every problem; exit 0 valid, 2 invalid
  mcproxy list [--config FILE] [--json]
                                   connect to the upstreams and print the aggregated catalog
  mcproxy vcon validate FILE...    check vCon files against the IETF schema and core rules; exit 2 if any is invalid
  mcproxy vcon show FILE           print a vCon as a timeline (follows chain links to vCons beside it)
  mcproxy vcon flush [--config FILE]
                                   post the spooled vCons to the conserver now; list what was rejected
  mcproxy --help | --version
`;

export class UsageError extends Error {}

export function parseCommand(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        transport: { type: 'string', short: 't' },
        host: { type: 'string' },
        port: { type: 'string', short: 'p' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const [sub, ...extra] = positionals;
  if (sub === 'vcon' && !values.json) return parseVconCommand(extra, values.config);
  if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra[0]}`);
  const runOnly = (name: string) => {
    if (sub !== undefined && values[name as keyof typeof values] !== undefined) throw new UsageError(`--${name} only applies when running the proxy`);
  };
  ['transport', 'host', 'port'].forEach(runOnly);
  if (sub !== 'list' && values.json) throw new UsageError('--json only applies to `mcproxy list`');
  switch (sub) {
    case undefined:
      return { kind: 'run', config: values.config, transport: transportOf(values.transport), host: values.host, port: portOf(values.port) };
    case 'validate':
      return { kind: 'validate', config: values.config };
    case 'list':
      return { kind: 'list', config: values.config, json: values.json ?? false };
    default:
      throw new UsageError(`unknown command: ${sub}`);
  }
}

function transportOf(value: string | undefined): 'stdio' | 'http' | undefined {
  if (value === undefined || value === 'stdio' || value === 'http') return value;
  throw new UsageError(`--transport must be stdio or http, not ${value}`);
}

function portOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not ${value}`);
  return port;
}
