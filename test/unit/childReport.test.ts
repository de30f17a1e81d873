// What a stdio upstream's child did, in the words errors use.
import assert from 'node:assert/strict';
import { ChildReport } from '../../src/upstream/transports/childReport.js';

describe('ChildReport', () => {
  it('keeps the last five stderr lines, joined across chunks, and says how the process ended', () => {
    const report = new ChildReport('server');
    report.noteStderr(Buffer.from('one\ntwo\nthr'));
    report.noteStderr(Buffer.from('ee\n\nfour\nfive\nsix\nseven'));
    assert.equal(report.describe(), undefined, "stderr alone is noise for a running server's slow call");
    assert.equal(report.describe(true), 'last stderr: two | three | four | five | six', 'but says why a server never answered');
    report.noteExit(null, 'SIGKILL');
    assert.equal(report.describe(), 'the process was killed by SIGKILL; last stderr: three | four | five | six | seven');
  });

  it('names the first non-protocol stdout line, shortened', () => {
    const report = new ChildReport('server');
    assert.equal(report.noteStrayOutput('Listening on stdio'), true);
    assert.equal(report.noteStrayOutput('second line'), false, 'only the first one is logged');
    report.noteExit(2, null);
    assert.equal(
      report.describe(),
      'the process exited with code 2; it wrote non-protocol output on stdout ("Listening on stdio"); stdout must carry only MCP messages',
    );
    const long = new ChildReport('server');
    long.noteStrayOutput('x'.repeat(400));
    assert.match(long.describe() ?? '', /\("x{300}…"\)/);
  });

  it('turns spawn errors into what to check', () => {
    const report = new ChildReport('uvx');
    const enoent = Object.assign(new Error('spawn uvx ENOENT'), { code: 'ENOENT' });
    assert.equal(report.spawnError(enoent).message, 'command not found: uvx (check `command`, `cwd` and PATH)');
    const eacces = Object.assign(new Error('spawn uvx EACCES'), { code: 'EACCES' });
    assert.equal(report.spawnError(eacces).message, 'permission denied running uvx (is it executable?)');
  });
});
