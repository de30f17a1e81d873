// Mcp-Param-* headers: which schemas declare them validly, what a call sends, what a server refuses.
import assert from 'node:assert/strict';
import { paramHeaderDeclarations, paramHeaderMismatch, paramHeadersFor, type ParamHeader } from '../../src/catalog/paramHeaders.js';

const schema = {
  type: 'object',
  properties: {
    region: { type: 'string', 'x-mcp-header': 'Region' },
    priority: { type: 'integer', 'x-mcp-header': 'Priority' },
    verbose: { type: 'boolean', 'x-mcp-header': 'Verbose' },
    nested: { type: 'object', properties: { zone: { type: 'string', 'x-mcp-header': 'Zone' } } },
    plain: { type: 'string' },
  },
};

function declarations(input: unknown): ParamHeader[] {
  const found = paramHeaderDeclarations(input);
  assert.ok('headers' in found, JSON.stringify(found));
  return found.headers;
}

const lookup = (headers: Record<string, string>) => (name: string) =>
  Object.entries(headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];

describe('Mcp-Param-* header declarations', () => {
  it('finds x-mcp-header on properties at any depth, with their paths', () => {
    assert.deepEqual(
      declarations(schema).map((d) => [d.path.join('.'), d.name]),
      [
        ['region', 'Region'],
        ['priority', 'Priority'],
        ['verbose', 'Verbose'],
        ['nested.zone', 'Zone'],
      ],
    );
    assert.deepEqual(declarations({ type: 'object', properties: { a: { type: 'string' } } }), []);
    assert.deepEqual(declarations(undefined), []);
  });

  for (const [why, bad] of [
    ['an empty name', { properties: { a: { type: 'string', 'x-mcp-header': '' } } }],
    ['a name with a space', { properties: { a: { type: 'string', 'x-mcp-header': 'My Region' } } }],
    ['a name with a colon', { properties: { a: { type: 'string', 'x-mcp-header': 'a:b' } } }],
    ['a number-typed property', { properties: { a: { type: 'number', 'x-mcp-header': 'A' } } }],
    ['an object-typed property', { properties: { a: { type: 'object', 'x-mcp-header': 'A' } } }],
    ['the same name twice, in another case', { properties: { a: { type: 'string', 'x-mcp-header': 'Region' }, b: { type: 'string', 'x-mcp-header': 'REGION' } } }],
    ['a declaration under items', { properties: { a: { type: 'array', items: { type: 'string', 'x-mcp-header': 'A' } } } }],
    ['a declaration under anyOf', { anyOf: [{ properties: { a: { type: 'string', 'x-mcp-header': 'A' } } }] }],
    ['a declaration in $defs', { $defs: { x: { type: 'string', 'x-mcp-header': 'A' } }, properties: {} }],
  ] as const) {
    it(`calls ${why} invalid`, () => {
      assert.ok('invalid' in paramHeaderDeclarations(bad), JSON.stringify(bad));
    });
  }
});

describe('Mcp-Param-* headers of a call', () => {
  const declared = declarations(schema);

  it('writes plain values as they are, numbers in decimal, booleans lowercase, and skips absent and null', () => {
    assert.deepEqual(paramHeadersFor(declared, { region: 'us-west1', priority: 42, verbose: false, nested: { zone: null }, plain: 'x' }), {
      'Mcp-Param-Region': 'us-west1',
      'Mcp-Param-Priority': '42',
      'Mcp-Param-Verbose': 'false',
    });
  });

  it('wraps values that are not plain visible ASCII in =?base64?…?=', () => {
    const wrap = (value: string) => `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
    for (const value of ['zürich', ' padded', '', '=?base64?abc?=']) {
      assert.equal(paramHeadersFor(declared, { region: value })['Mcp-Param-Region'], wrap(value), JSON.stringify(value));
    }
  });

  it('agrees with what it wrote, and refuses a header the body contradicts, lacks or mis-encodes', () => {
    const args = { region: 'zürich', priority: 42, nested: { zone: 'a' } };
    assert.equal(paramHeaderMismatch(declared, args, lookup(paramHeadersFor(declared, args))), undefined);
    assert.equal(paramHeaderMismatch(declared, { priority: 42 }, lookup({ 'mcp-param-priority': '42.0' })), undefined, 'numbers compare as numbers');
    assert.equal(paramHeaderMismatch(declared, {}, lookup({ 'Mcp-Param-Region': 'anything' })), undefined, 'a header without a body value is ignored');
    assert.match(paramHeaderMismatch(declared, { region: 'a' }, lookup({ 'Mcp-Param-Region': 'b' }))!.problem, /says "b"/);
    assert.match(paramHeaderMismatch(declared, { region: 'a' }, lookup({}))!.problem, /absent/);
    assert.match(paramHeaderMismatch(declared, { region: 'Hello' }, lookup({ 'Mcp-Param-Region': '=?base64?SGVsbG8?=' }))!.problem, /not valid Base64/);
    assert.match(paramHeaderMismatch(declared, { region: 'Hello' }, lookup({ 'Mcp-Param-Region': '=?base64?SGVs!!!bG8=?=' }))!.problem, /not valid Base64/);
    // Without both ends of the wrapping, the value is literal.
    assert.equal(paramHeaderMismatch(declared, { region: '=?base64?SGVsbG8=' }, lookup({ 'Mcp-Param-Region': '=?base64?SGVsbG8=' })), undefined);
  });
});
