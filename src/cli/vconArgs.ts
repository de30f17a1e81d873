// `mcproxy vcon validate FILE...`, `mcproxy vcon show FILE`, `mcproxy vcon flush [--config FILE]`.
import { UsageError } from './args.js';

export type VconCommand =
  | { kind: 'vcon'; action: 'validate'; files: string[] }
  | { kind: 'vcon'; action: 'show'; file: string }
  | { kind: 'vcon'; action: 'flush'; config?: string };

export function parseVconCommand(args: string[], config: string | undefined): VconCommand {
  const [action, ...files] = args;
  if (action !== 'flush' && config !== undefined) throw new UsageError('--config only applies to `mcproxy vcon flush`');
  switch (action) {
    case 'validate':
      if (files.length === 0) throw new UsageError('mcproxy vcon validate needs at least one FILE');
      return { kind: 'vcon', action, files };
    case 'show':
      if (files.length !== 1) throw new UsageError('mcproxy vcon show needs exactly one FILE');
      return { kind: 'vcon', action, file: files[0] };
    case 'flush':
      if (files.length > 0) throw new UsageError(`unexpected argument: ${files[0]}`);
      return { kind: 'vcon', action, config };
    default:
      throw new UsageError(action === undefined ? 'mcproxy vcon needs validate, show or flush' : `unknown vcon command: ${action}`);
  }
}
