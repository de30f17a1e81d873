// Command-line parsing: every command, and a UsageError for everything that isn't one.
import assert from 'node:assert/strict';
import { parseCommand, UsageError } from '../../src/cli/args.js';

function usageError(argv: string[], pattern: RegExp): void {
  assert.throws(
    () => parseCommand(argv),
    (error: unknown) => {
      assert.ok(error instanceof UsageError, `expected UsageError for ${argv.join(' ')}, got ${String(error)}`);
      assert.match(error.message, pattern);
      return true;
    },
    `expected ${JSON.stringify(argv)} to be refused`,
  );
}

describe('parseCommand', () => {
  describe('run (no subcommand)', () => {
    it('runs with defaults when given nothing', () => {
      assert.deepEqual(parseCommand([]), { kind: 'run', config: undefined, transport: undefined, host: undefined, port: undefined });
    });

    it('takes --config, --transport, --host and --port', () => {
      assert.deepEqual(parseCommand(['--config', 'my.yaml', '--transport', 'http', '--host', '0.0.0.0', '--port', '9000']), {
        kind: 'run',
        config: 'my.yaml',
        transport: 'http',
        host: '0.0.0.0',
        port: 9000,
      });
    });

    it('takes the short forms and --opt=value', () => {
      assert.deepEqual(parseCommand(['-c', 'a.yaml', '-t', 'stdio', '-p', '0']), {
        kind: 'run',
        config: 'a.yaml',
        transport: 'stdio',
        host: undefined,
        port: 0,
      });
      assert.deepEqual(parseCommand(['--port=65535', '--transport=http']), {
        kind: 'run',
        config: undefined,
        transport: 'http',
        host: undefined,
        port: 65535,
      });
    });

    it('refuses a bad --port', () => {
      for (const port of ['abc', '65536', '1.5', '', '0x10', '-1', ' 80', '1e3']) {
        usageError([`--port=${port}`], /--port must be a number from 0 to 65535/);
      }
    });

    it('refuses a bad --transport', () => {
      usageError(['--transport', 'sse'], /--transport must be stdio or http, not sse/);
      usageError(['--transport', 'HTTP'], /--transport must be stdio or http/);
    });
  });

  describe('validate', () => {
    it('takes an optional --config', () => {
      assert.deepEqual(parseCommand(['validate']), { kind: 'validate', config: undefined });
      assert.deepEqual(parseCommand(['validate', '--config', 'x.yaml']), { kind: 'validate', config: 'x.yaml' });
      assert.deepEqual(parseCommand(['--config', 'x.yaml', 'validate']), { kind: 'validate', config: 'x.yaml' }, 'options may come first');
    });

    it('refuses options that only apply when running', () => {
      usageError(['validate', '--transport', 'http'], /--transport only applies when running the proxy/);
      usageError(['validate', '--port', '1'], /--port only applies when running the proxy/);
      usageError(['validate', '--host', 'x'], /--host only applies when running the proxy/);
    });
  });

  describe('list', () => {
    it('prints a table by default and JSON with --json', () => {
      assert.deepEqual(parseCommand(['list']), { kind: 'list', config: undefined, json: false });
      assert.deepEqual(parseCommand(['list', '--json', '-c', 'c.yaml']), { kind: 'list', config: 'c.yaml', json: true });
    });

    it('refuses options that only apply when running', () => {
      usageError(['list', '--port', '8808'], /--port only applies when running the proxy/);
    });
  });

  describe('--json outside list', () => {
    it('is a usage error', () => {
      usageError(['--json'], /--json only applies to `mcproxy list`/);
      usageError(['validate', '--json'], /--json only applies to `mcproxy list`/);
    });
  });

  describe('--help and --version', () => {
    it('win over everything else that parses', () => {
      assert.deepEqual(parseCommand(['--help']), { kind: 'help' });
      assert.deepEqual(parseCommand(['-h']), { kind: 'help' });
      assert.deepEqual(parseCommand(['list', '--help']), { kind: 'help', topic: 'list' });
      assert.deepEqual(parseCommand(['--version']), { kind: 'version' });
      assert.deepEqual(parseCommand(['-v']), { kind: 'version' });
      assert.deepEqual(parseCommand(['validate', '--version', '--config', 'x']), { kind: 'version' });
    });
  });

  describe('everything else', () => {
    it('refuses an unknown command', () => {
      usageError(['serve'], /unknown command: serve/);
      usageError(['run'], /unknown command: run/);
    });

    it('refuses an extra argument', () => {
      usageError(['list', 'extra'], /unexpected argument: extra/);
    });

    it('refuses an unknown option and an option without its value', () => {
      usageError(['--verbose'], /verbose/);
      usageError(['--config'], /config/);
      usageError(['--json=yes', 'list'], /json/);
    });
  });
});
