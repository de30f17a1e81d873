// Which session a server→client request from a shared upstream goes to: the session of the
// call whose stream carried it when the transport shows that, else the one session with a call
// in flight, else a refusal that says how to avoid it.
import type { JSONRPCRequest, Result } from '@modelcontextprotocol/server';
import assert from 'node:assert/strict';
import { Attachments, type UpstreamListener } from '../../src/upstream/attachments.js';

/** A session that answers a server→client request with its own name. */
function session(name: string): UpstreamListener<string> {
  return {
    onUpstreamNotification: () => {},
    onUpstreamStatus: () => {},
    onUpstreamRequest: async (): Promise<Result> => ({ answeredBy: name }),
  };
}

const sampling: JSONRPCRequest = { jsonrpc: '2.0', id: 0, method: 'sampling/createMessage', params: {} };
const signal = new AbortController().signal;

describe('attachments of a shared upstream', () => {
  it('sends a request to the session of the call it came with, whatever else is in flight', async () => {
    const attachments = new Attachments<string>('shared');
    const [a, b] = [session('a'), session('b')];
    attachments.attach(a);
    attachments.attach(b);
    const callA = attachments.track(a);
    const callB = attachments.track(b);
    callA.call.upstreamId = 11;
    callB.call.upstreamId = 12;
    assert.deepEqual(await attachments.request('up', sampling, signal, 12), { answeredBy: 'b' });
    assert.deepEqual(await attachments.request('up', sampling, signal, 11), { answeredBy: 'a' });
  });

  it('without the call (stdio), goes to the only session with a call in flight', async () => {
    const attachments = new Attachments<string>('shared');
    const [a, b] = [session('a'), session('b')];
    attachments.attach(a);
    attachments.attach(b);
    const { done } = attachments.track(b);
    assert.deepEqual(await attachments.request('up', sampling, signal), { answeredBy: 'b' });
    done();
  });

  it('refuses when it cannot tell, and says to set shared: false', async () => {
    const attachments = new Attachments<string>('shared');
    const [a, b] = [session('a'), session('b')];
    attachments.attach(a);
    attachments.attach(b);
    attachments.track(a);
    attachments.track(b);
    await assert.rejects(
      async () => attachments.request('up', sampling, signal, 99),
      /cannot tell which client sampling\/createMessage is for: 2 sessions share upstream 'shared', several have a call in flight.*Set `shared: false` on upstream 'shared'/,
    );
  });
});
