// The DNS-rebinding guard of the HTTP listener: which Host and Origin headers pass. Pure.
import assert from 'node:assert/strict';
import { checkHostAndOrigin, hostPolicy } from '../../src/downstream/hostPolicy.js';

const passes = (policy: ReturnType<typeof hostPolicy>, host: string | undefined, origin?: string) =>
  assert.equal(checkHostAndOrigin(policy, host, origin), undefined, `expected Host ${host} Origin ${origin} to pass`);

function refused(policy: ReturnType<typeof hostPolicy>, host: string | undefined, origin: string | undefined, pattern: RegExp): void {
  const reason = checkHostAndOrigin(policy, host, origin);
  assert.ok(reason !== undefined, `expected Host ${host} Origin ${origin} to be refused`);
  assert.match(reason, pattern);
}

describe('hostPolicy / checkHostAndOrigin', () => {
  describe('bound to a loopback address', () => {
    for (const bind of ['127.0.0.1', 'localhost', '::1']) {
      it(`(${bind}) accepts the loopback names, with or without a port`, () => {
        const policy = hostPolicy(bind);
        for (const host of ['localhost:8808', 'localhost', '127.0.0.1', '127.0.0.1:8808', '[::1]', '[::1]:8808', 'LOCALHOST:8808']) {
          passes(policy, host);
        }
      });
    }

    it('refuses another Host header, and a request with none', () => {
      const policy = hostPolicy('127.0.0.1');
      refused(policy, 'evil.com', undefined, /Host header not allowed: evil\.com/);
      refused(policy, 'evil.com:8808', undefined, /Host header not allowed: evil\.com:8808/);
      refused(policy, 'localhost.evil.com:8808', undefined, /Host header not allowed/);
      refused(policy, '127.0.0.2:8808', undefined, /Host header not allowed/);
      refused(policy, undefined, undefined, /Host header not allowed: \(none\)/);
    });

    it('accepts an Origin on a loopback name and refuses any other', () => {
      const policy = hostPolicy('127.0.0.1');
      passes(policy, 'localhost:8808', 'http://localhost:8808');
      passes(policy, 'localhost:8808', 'http://127.0.0.1:3000');
      passes(policy, '127.0.0.1:8808', 'http://[::1]:8808');
      refused(policy, 'localhost:8808', 'http://evil.com', /Origin header not allowed: http:\/\/evil\.com/);
      refused(policy, 'localhost:8808', 'https://evil.com:8808', /Origin header not allowed/);
      refused(policy, 'localhost:8808', 'null', /Origin header not allowed: null/);
      refused(policy, 'localhost:8808', 'not a url', /Origin header not allowed/);
    });

    it('a good Host does not excuse a bad Origin, nor the other way round', () => {
      const policy = hostPolicy('127.0.0.1');
      refused(policy, '127.0.0.1:8808', 'http://evil.com', /Origin/);
      refused(policy, 'evil.com', 'http://localhost:8808', /Host/);
    });

    it('adds allowedHosts to the loopback names', () => {
      const policy = hostPolicy('127.0.0.1', ['mcp.internal']);
      passes(policy, 'mcp.internal:8808');
      passes(policy, 'localhost:8808');
      passes(policy, 'localhost:8808', 'http://mcp.internal');
      refused(policy, 'evil.com', undefined, /Host header not allowed/);
    });
  });

  describe('bound to a wildcard address', () => {
    it('without allowedHosts, accepts any Host (it cannot know its public names)', () => {
      for (const bind of ['0.0.0.0', '::']) {
        const policy = hostPolicy(bind);
        assert.deepEqual(policy.hosts, []);
        for (const host of ['evil.com', 'mcp.example.com:8808', '10.0.0.5:8808', 'localhost:8808', undefined]) passes(policy, host);
        passes(policy, 'mcp.example.com', 'https://anything.example');
      }
    });

    it('with allowedHosts, accepts only those (case-insensitively), not even loopback names', () => {
      const policy = hostPolicy('0.0.0.0', ['MCP.example.com']);
      passes(policy, 'mcp.example.com');
      passes(policy, 'mcp.example.com:443');
      passes(policy, 'Mcp.Example.Com:8808');
      refused(policy, 'evil.com', undefined, /Host header not allowed/);
      refused(policy, 'localhost:8808', undefined, /Host header not allowed/);
      passes(policy, 'mcp.example.com', 'https://mcp.example.com');
      refused(policy, 'mcp.example.com', 'http://evil.com', /Origin header not allowed/);
    });
  });

  describe('allowedOrigins', () => {
    it('accepts exactly the listed origins besides those on accepted hosts', () => {
      const policy = hostPolicy('127.0.0.1', [], ['https://app.example.com']);
      passes(policy, 'localhost:8808', 'https://app.example.com');
      passes(policy, 'localhost:8808', 'http://localhost:5173');
      refused(policy, 'localhost:8808', 'https://app.example.com:8443', /Origin header not allowed/);
      refused(policy, 'localhost:8808', 'http://app.example.com', /Origin header not allowed/);
      refused(policy, 'localhost:8808', 'https://evil.com', /Origin header not allowed/);
    });

    it('does not let an allowed Origin excuse a bad Host', () => {
      const policy = hostPolicy('127.0.0.1', [], ['https://app.example.com']);
      refused(policy, 'evil.com', 'https://app.example.com', /Host header not allowed/);
    });

    it('lets a listed non-URL origin such as "null" through only when listed', () => {
      passes(hostPolicy('127.0.0.1', [], ['null']), 'localhost', 'null');
      refused(hostPolicy('127.0.0.1'), 'localhost', 'null', /Origin header not allowed/);
    });
  });
});
