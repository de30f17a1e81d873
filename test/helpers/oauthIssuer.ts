// A local OAuth authorization server, as far as a protected resource sees one: RFC 8414
// metadata at /.well-known/oauth-authorization-server naming its jwks_uri, and the JWKS there
// (one RSA signing key). It mints the tokens tests present; it has no token endpoint because
// the proxy never calls one.
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestIssuer {
  /** The issuer identifier, http://127.0.0.1:PORT. */
  issuer: string;
  /** Signs a JWT with the issuer's key: iss, iat and a 5-minute exp unless `claims` says otherwise. */
  sign(claims: JWTPayload): Promise<string>;
  /** Signs with a key the JWKS does not publish (same kid): what a forger can make. */
  signWithForeignKey(claims: JWTPayload): Promise<string>;
  close(): Promise<void>;
}

const KID = 'test-key-1';

export async function startTestIssuer(): Promise<TestIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const foreign = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  let issuer = '';
  const server: Server = createServer((req, res) => {
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/.well-known/oauth-authorization-server') return json({ issuer, jwks_uri: `${issuer}/jwks.json`, response_types_supported: ['code'] });
    if (req.url === '/jwks.json') return json({ keys: [jwk] });
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const signer = (key: CryptoKey) => (claims: JWTPayload) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: issuer, iat: now, exp: now + 300, ...claims }).setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'at+jwt' }).sign(key);
  };
  return {
    issuer,
    sign: signer(privateKey),
    signWithForeignKey: signer(foreign.privateKey),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An unsigned token (`alg: none`) with these claims, as an attacker would send it. */
export function unsignedToken(claims: JWTPayload): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}
