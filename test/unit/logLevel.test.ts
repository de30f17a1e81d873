// Log levels across the eras: which level a request asks for, and which messages pass it.
import assert from 'node:assert/strict';
import { logPasses, moreVerbose, requestLogThreshold, withLogLevel } from '../../src/session/logLevel.js';

const MODERN = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' };

describe('log levels across the eras', () => {
  it('a 2026-07-28 request asks at its own _meta level, and for nothing without one', () => {
    assert.equal(requestLogThreshold({ ...MODERN, 'io.modelcontextprotocol/logLevel': 'warning' }, 'debug'), 'warning');
    assert.equal(requestLogThreshold(MODERN, 'debug'), 'off');
    assert.equal(requestLogThreshold({ ...MODERN, 'io.modelcontextprotocol/logLevel': 'loud' }, undefined), 'off');
  });

  it('a 2025-11-25 request asks at its session’s level (none set: everything)', () => {
    assert.equal(requestLogThreshold(undefined, 'error'), 'error');
    assert.equal(requestLogThreshold(undefined, undefined), undefined);
  });

  it('a message passes a threshold at or below its severity', () => {
    assert.ok(logPasses('error', 'warning'));
    assert.ok(logPasses('warning', 'warning'));
    assert.ok(!logPasses('info', 'warning'));
    assert.ok(logPasses('debug', undefined));
    assert.ok(!logPasses('emergency', 'off'));
  });

  it('the level rides in a 2026-07-28 upstream request’s _meta beside what was there', () => {
    const params = withLogLevel({ name: 'x', _meta: { progressToken: 3 } }, 'info');
    assert.deepEqual(params, { name: 'x', _meta: { progressToken: 3, 'io.modelcontextprotocol/logLevel': 'info' } });
  });

  it('a level is more verbose than a more severe one, or than none', () => {
    assert.ok(moreVerbose('debug', 'info'));
    assert.ok(!moreVerbose('error', 'info'));
    assert.ok(moreVerbose('error', undefined));
  });
});
