// The journal leads the wire: whatever the client can read is in the journal already, whether
// the stdio transport was handed it from an I/O callback or from a promise (the recorder writes
// a tick's messages together, at the end of the tick: recorder.ts flushSoon), and whether it was
// a message or a result the fast lane passes on as the upstream wrote it (sendResultBytes).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { BoundedStdioServerTransport } from '../../src/downstream/stdioTransport.js';
import { VconRecording } from '../../src/vcon/recording.js';
import type { ResultBytesSender } from '../../src/downstream/serializedSend.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('vCon journal', () => {
  it('holds each answer before the stdio transport writes it, sent from an I/O callback or a promise, as a message or as bytes', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-journal-'));
    const recording = new VconRecording(
      {
        dir,
        serverName: 'mcproxy',
        upstreams: [],
        tags: {},
        addAnalysis: false,
        capture: { captureResources: true, capturePrompts: true, redact: [] },
        maxInlineContentSize: 100_000,
        session: { timeoutMs: 60_000, maxMessages: 1_000 },
        debug: false,
      },
      quiet,
    );
    await recording.start();
    const journaled = () => readdirSync(recording.journalDir).map((name) => readFileSync(path.join(recording.journalDir, name), 'utf8')).join('');
    const written: string[] = [];
    const ahead: string[] = [];
    let allWritten: () => void;
    const done = new Promise<void>((resolve) => (allWritten = resolve));
    const output = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        const journal = journaled();
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          written.push(line);
          if (!journal.includes(line)) ahead.push(line);
        }
        if (written.length === 8) allWritten();
        callback();
      },
    });
    const input = new PassThrough();
    const transport = recording.recorder('stdio').wrap(new BoundedStdioServerTransport({ maxBodyBytes: 1_000_000, maxDepth: 64 }, input, output));
    transport.onmessage = (message) => {
      const id = (message as { id: number }).id;
      const answer = { jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: `answer ${id}` }] } } as JSONRPCMessage;
      // An upstream's answer arrives in an I/O callback (the fast lane's as bytes); the SDK's own answers come from promises.
      if (id % 4 === 1) setImmediate(() => void (transport as unknown as ResultBytesSender).sendResultBytes(id, Buffer.from(`{"result":{"content":[{"type":"text","text":"answer ${id}"}]},`), `"jsonrpc":"2.0","id":${id}}`));
      else if (id % 2) setImmediate(() => void transport.send(answer));
      else void Promise.resolve().then(() => transport.send(answer));
    };
    await transport.start();
    // Two chunks of four requests: each chunk's answers go out in one tick.
    for (const ids of [[1, 2, 3, 4], [5, 6, 7, 8]]) input.write(ids.map((id) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo' } }) + '\n').join(''));
    await done;
    assert.equal(written.length, 8);
    assert.deepEqual(ahead, [], 'no answer reached the wire before the journal');
    assert.ok(written.includes('{"result":{"content":[{"type":"text","text":"answer 5"}]},"jsonrpc":"2.0","id":5}'), 'a result sent as bytes reached the client as it was written');
    await recording.shutdown(0);
  });

  it('redacts a result passed on as bytes as it redacts a message, whatever escapes the upstream wrote', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mcproxy-journal-'));
    const capture = { captureResources: true, capturePrompts: true, redact: [/secret-[a-z]+/g] };
    const recording = new VconRecording(
      { dir, serverName: 'mcproxy', upstreams: [], tags: {}, addAnalysis: false, capture, maxInlineContentSize: 100_000, session: { timeoutMs: 60_000, maxMessages: 1_000 }, debug: false },
      quiet,
    );
    await recording.start();
    const input = new PassThrough();
    let wrote: () => void;
    const written = new Promise<void>((resolve) => (wrote = resolve));
    const output = new Writable({ write: (_chunk, _encoding, callback) => (wrote(), callback()) });
    const transport = recording.recorder('stdio').wrap(new BoundedStdioServerTransport({ maxBodyBytes: 1_000_000, maxDepth: 64 }, input, output));
    // The upstream spells the dash as an escape: the same string for the client, another spelling for a pattern.
    transport.onmessage = () => void (transport as unknown as ResultBytesSender).sendResultBytes(1, Buffer.from('{"result":{"content":[{"type":"text","text":"key secret\\u002dabc"}]},'), '"jsonrpc":"2.0","id":1}');
    await transport.start();
    input.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo' } }) + '\n');
    await written;
    const journal = readdirSync(recording.journalDir).map((name) => readFileSync(path.join(recording.journalDir, name), 'utf8')).join('');
    assert.doesNotMatch(journal, /secret/);
    assert.match(journal, /key \[REDACTED\]/);
    await recording.shutdown(0);
  });
});
