// Connect page links (src/upstream/oauth/connectLinks.ts): bound to a person and an upstream,
// signed, expiring, usable once.
import assert from 'node:assert/strict';
import { ConnectLinks, LINK_TTL_MS } from '../../src/upstream/oauth/connectLinks.js';

const linkOf = (url: string) => new URL(url).searchParams.get('link');

describe('connect links', () => {
  const links = new ConnectLinks(new URL('https://gw.example.com/team/'), 'a key of sixteen characters or more');

  it('are made under the public URL and opened once, by the person they were made for', () => {
    const { url } = links.create('linear', 'token:alice');
    assert.ok(url.startsWith('https://gw.example.com/team/connect/linear?link='), url);
    assert.equal(links.callbackUrl('linear'), 'https://gw.example.com/team/connect/linear/callback');
    assert.deepEqual(links.open('linear', linkOf(url)), { subject: 'token:alice' });
    assert.match((links.open('linear', linkOf(url)) as { refused: string }).refused, /already used/);
  });

  it('refuse another upstream, an expired link, another key, and a missing link', () => {
    const now = Date.now();
    const { url } = links.create('linear', 'token:alice', now);
    assert.match((links.open('notion', linkOf(url)) as { refused: string }).refused, /another upstream/);
    assert.match((links.open('linear', linkOf(url), now + LINK_TTL_MS + 1) as { refused: string }).refused, /expired/);
    const other = new ConnectLinks(new URL('https://gw.example.com/'));
    assert.match((other.open('linear', linkOf(url)) as { refused: string }).refused, /not valid/);
    assert.match((links.open('linear', null) as { refused: string }).refused, /not valid/);
  });
});
