// Command-line parsing: every command, and a UsageError for everything that isn't one.
import assert from 'node:assert/strict';
import { OPTIONS, parseCommand, USAGE, UsageError } from '../../src/cli/args.js';
import { helpText, HELP_TOPICS } from '../../src/cli/help.js';
import { listenFailure } from '../../src/cli/listenErrors.js';
import { isLoopback } from '../../src/downstream/hostPolicy.js';

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

  describe('status', () => {
    it('takes --url, --watch, --json and --config', () => {
      assert.deepEqual(parseCommand(['status']), { kind: 'status', config: undefined, url: undefined, watch: false, json: false });
      assert.deepEqual(parseCommand(['status', '--url', 'http://127.0.0.1:9464', '--watch', '--json', '-c', 'x.yaml']), {
        kind: 'status',
        config: 'x.yaml',
        url: 'http://127.0.0.1:9464',
        watch: true,
        json: true,
      });
    });

    it('refuses --url and --watch elsewhere, and --profile', () => {
      usageError(['list', '--url', 'http://x'], /--url only applies to `mcproxy status`/);
      usageError(['--watch'], /--watch only applies to `mcproxy status`/);
      usageError(['status', '--profile', 'p'], /--profile does not apply/);
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
  describe('--profile', () => {
    it('applies to running the proxy and to list, not to validate', () => {
      assert.equal((parseCommand(['--profile', 'dev']) as { profile?: string }).profile, 'dev');
      assert.deepEqual(parseCommand(['list', '--profile', 'dev']), { kind: 'list', config: undefined, json: false, profile: 'dev' });
      assert.throws(() => parseCommand(['validate', '--profile', 'dev']), /--profile applies to running the proxy/);
    });
  });

  describe('auth', () => {
    it('login and logout need the upstream; status takes none; --timeout is for login alone', () => {
      assert.deepEqual(parseCommand(['auth', 'login', 'linear', '--timeout', '30']), { kind: 'auth', config: undefined, action: 'login', upstream: 'linear', timeoutSeconds: 30 });
      assert.deepEqual(parseCommand(['auth', 'status', '-c', 'x.yaml']), { kind: 'auth', config: 'x.yaml', action: 'status' });
      assert.deepEqual(parseCommand(['auth', 'logout', 'linear']), { kind: 'auth', config: undefined, action: 'logout', upstream: 'linear' });
      assert.throws(() => parseCommand(['auth', 'login']), /needs the upstream's name/);
      assert.throws(() => parseCommand(['auth', 'whoami']), /login, status or logout/);
      assert.throws(() => parseCommand(['auth', 'status', 'linear']), /unexpected argument: linear/);
      assert.throws(() => parseCommand(['auth', 'logout', 'linear', '--timeout', '5']), /--timeout only applies/);
      assert.throws(() => parseCommand(['list', '--timeout', '5']), /--timeout only applies/);
    });
  });

  describe('help', () => {
    it('`help`, `help COMMAND` and `COMMAND --help` name their topic', () => {
      assert.deepEqual(parseCommand(['help']), { kind: 'help' });
      assert.deepEqual(parseCommand(['help', 'list']), { kind: 'help', topic: 'list' });
      assert.deepEqual(parseCommand(['init', '-h']), { kind: 'help', topic: 'init' });
      usageError(['help', 'list', 'extra'], /unexpected argument: extra/);
    });

    it('documents every option (long and short) and every environment variable in --help', () => {
      for (const [name, option] of Object.entries(OPTIONS)) {
        assert.ok(USAGE.includes(`--${name}`), `--${name} is missing from --help`);
        if ('short' in option) assert.ok(USAGE.includes(`-${option.short}, --${name}`), `-${option.short} is missing from --help`);
      }
      for (const variable of ['MCPROXY_CONFIG', 'MCPROXY_LOG_LEVEL', 'MCPROXY_DATA_DIR']) assert.match(USAGE, new RegExp(`^  ${variable} `, 'm'));
      assert.match(USAGE, /^Exit codes: 0 ok; 1 [^]*; 2 bad usage or an invalid or missing config; 3 cannot listen[^]*; 4 `status`: a required upstream is down/m);
    });

    it('has a page for every command and none for an unknown one', () => {
      assert.deepEqual(HELP_TOPICS, ['run', 'validate', 'list', 'init', 'vcon', 'reload', 'restart', 'status', 'auth', 'help']);
      for (const topic of HELP_TOPICS) assert.match(helpText(topic) ?? '', /^Usage: mcproxy/);
      assert.equal(helpText('bogus'), undefined);
      assert.equal(helpText(), USAGE);
    });
  });

  describe('init', () => {
    it('takes --install, --undo, --dry-run and --output, and refuses them elsewhere', () => {
      assert.deepEqual(parseCommand(['init']), { kind: 'init', install: undefined, undo: undefined, dryRun: false, output: undefined, all: false });
      assert.deepEqual(parseCommand(['init', '--install', 'cursor', '--dry-run', '-o', 'p.yaml']), {
        kind: 'init',
        install: 'cursor',
        undo: undefined,
        dryRun: true,
        output: 'p.yaml',
        all: false,
      });
      assert.equal((parseCommand(['init', '--install', 'cursor', '--all']) as { all: boolean }).all, true);
      usageError(['init', '--all'], /--all goes with --install CLIENT/);
      usageError(['init', '--undo', 'cursor', '--install', 'vscode'], /--undo goes alone/);
      usageError(['init', '--config', 'x.yaml'], /give its path with --output/);
      usageError(['list', '--install', 'cursor'], /--install only applies to `mcproxy init`/);
    });
  });
});

describe('listen failures', () => {
  it('says in one line why the port could not be bound', () => {
    const failure = (code: string) => listenFailure(Object.assign(new Error(code), { code }), '127.0.0.1', 80);
    assert.equal(failure('EADDRINUSE'), 'cannot listen on 127.0.0.1:80: the port is in use by another program (pick another with --port, or --port 0 for any free one)');
    assert.equal(failure('EACCES'), 'cannot listen on 127.0.0.1:80: permission denied (ports below 1024 need privileges: use a port above 1024)');
    assert.equal(failure('EADDRNOTAVAIL'), 'cannot listen on 127.0.0.1:80: this machine has no such address (check --host or server.host)');
    assert.equal(failure('ENOTFOUND'), 'cannot listen on 127.0.0.1:80: the host name does not resolve (check --host or server.host)');
    assert.equal(failure('EPIPE'), undefined, 'anything else is not a listen failure');
  });

  it('tells loopback from addresses other machines reach', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1']) assert.ok(isLoopback(host), host);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) assert.ok(!isLoopback(host), host);
  });
});
