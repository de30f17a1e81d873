// <data folder>/eras.json: the `protocol: auto` verdicts kept across runs.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EraVerdictFile, MAX_VERDICTS, verdictKey } from '../../src/upstream/eraVerdictFile.js';

const discover = { supportedVersions: ['2026-07-28'], capabilities: { tools: {} } };

describe('EraVerdictFile', () => {
  const file = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'mcproxy-eras-unit-')), 'data', 'eras.json');

  it('keeps verdicts under a hash of how the upstream is reached, never the config itself', () => {
    const where = file();
    const key = verdictKey([process.execPath, ['server.js'], { API_KEY: 'secret-value' }]);
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.notEqual(key, verdictKey([process.execPath, ['server.js'], { API_KEY: 'another-value' }]), 'two credentials, two verdicts');
    new EraVerdictFile(where).write(key, { kind: 'legacy' });
    assert.deepEqual([...new EraVerdictFile(where).read()], [[key, { kind: 'legacy' }]]);
    assert.doesNotMatch(readFileSync(where, 'utf8'), /secret-value|server\.js/);
  });

  it('merges with what another process wrote meanwhile, and forgets one verdict alone', () => {
    const where = file();
    const mine = new EraVerdictFile(where);
    const theirs = new EraVerdictFile(where);
    mine.write('a', { kind: 'legacy' });
    theirs.write('b', { kind: 'modern', discover });
    mine.write('c', { kind: 'legacy' });
    mine.write('a', undefined);
    assert.deepEqual(Object.fromEntries(new EraVerdictFile(where).read()), { b: { kind: 'modern', discover }, c: { kind: 'legacy' } });
  });

  it('reads an unreadable or foreign file as no verdicts, and skips entries it does not know', () => {
    const where = file();
    const store = new EraVerdictFile(where);
    store.write('x', { kind: 'legacy' });
    writeFileSync(where, '{ not json');
    assert.deepEqual([...store.read()], []);
    writeFileSync(where, JSON.stringify({ verdicts: { ok: { kind: 'legacy', at: 'then' }, odd: { kind: 'future' }, bare: { kind: 'modern' } } }));
    assert.deepEqual([...store.read()], [['ok', { kind: 'legacy' }]]);
  });

  it(`keeps the ${MAX_VERDICTS} newest verdicts, so that the file every start reads stays small`, () => {
    const where = file();
    const old = Object.fromEntries(Array.from({ length: MAX_VERDICTS }, (_, i) => [`old${i}`, { kind: 'legacy', at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() }]));
    mkdirSync(path.dirname(where), { recursive: true });
    writeFileSync(where, JSON.stringify({ verdicts: { ...old, undated: { kind: 'legacy' } } }));
    new EraVerdictFile(where).write('fresh', { kind: 'modern', discover });
    const kept = new EraVerdictFile(where).read();
    assert.equal(kept.size, MAX_VERDICTS);
    assert.deepEqual(kept.get('fresh'), { kind: 'modern', discover });
    assert.ok(!kept.has('undated') && !kept.has('old0'), 'the undated and the oldest entry go first');
    assert.ok(kept.has(`old${MAX_VERDICTS - 1}`));
  });
});
