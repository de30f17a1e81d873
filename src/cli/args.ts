// Command-line parsing: pure, so every flag combination is unit-tested.
import { parseArgs } from 'node:util';

export type Command =
  | { kind: 'run'; config?: string; transport?: 'stdio' | 'http'; host?: string; port?: number }
  | { kind: 'validate'; config?: string }
  | { kind: 'list'; config?: string; json: boolean }
  | { kind: 'pins'; config?: string; action: 'list' | 'diff' | 'accept'; selector?: string }
  | { kind: 'help' }
  | { kind: 'version' };

export const USAGE = `Usage:
  mcproxy [--config FILE] [--transport stdio|http] [--host H] [--port N]
                                   run the proxy (default config: ./mcproxy.yaml, else config/mcproxy.yaml)
  mcproxy validate [--config FILE] check the config; lists every problem; exit 0 valid, 2 invalid
  mcproxy list [--config FILE] [--json]
                                   connect to the upstreams and print the aggregated catalog
  mcproxy pins list|diff|accept [UPSTREAM[:TOOL]] [--config FILE]
                                   show the tool pins, what differs from them, or accept the current versions
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
  const runOnly = (name: string) => {
    if (sub !== undefined && values[name as keyof typeof values] !== undefined) throw new UsageError(`--${name} only applies when running the proxy`);
  };
  ['transport', 'host', 'port'].forEach(runOnly);
  if (sub !== 'list' && values.json) throw new UsageError('--json only applies to `mcproxy list`');
  if (sub === 'pins') return pinsCommand(extra, values.config);
  if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra[0]}`);
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

function pinsCommand([action, selector, ...rest]: string[], config: string | undefined): Command {
  if (action !== 'list' && action !== 'diff' && action !== 'accept') throw new UsageError(`mcproxy pins needs list, diff or accept, not ${action ?? 'nothing'}`);
  if (rest.length > 0) throw new UsageError(`unexpected argument: ${rest[0]}`);
  return { kind: 'pins', config, action, selector };
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
