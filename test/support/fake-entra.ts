// A stand-in for Entra ID's signing keys on loopback: it serves a JWKS at <url>/<tenant>/discovery/v2.0/keys (where
// the Agents SDK looks for the keys of a token that Entra issued, under the configured authority) and signs
// RS256 tokens with the key it publishes. Tokens are built with node:crypto alone.
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeEntra {
  url: string;
  tenant: string;
  /** The authority to configure (MICROSOFT_APP_AUTHORITY): the tenant's path on this server. */
  authority: string;
  /** A token signed with the published key (or `with` another), valid for an hour unless the claims say otherwise. */
  token(claims: Record<string, unknown>, opts?: { with?: KeyObject; kid?: string }): string;
  /** A key that is not published. */
  strangerKey: KeyObject;
  close(): Promise<void>;
}

const b64url = (x: string | Buffer) => Buffer.from(x).toString('base64url');

export async function startFakeEntra(tenant = 'tenant-1'): Promise<FakeEntra> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const kid = 'stepwise-test-key';
  const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' }] };
  const server = createServer((req, res) => {
    if (req.url === `/${tenant}/discovery/v2.0/keys`) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(jwks));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    tenant,
    authority: `${url}/${tenant}`,
    strangerKey: stranger,
    token(claims, opts = {}) {
      const now = Math.floor(Date.now() / 1000);
      const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: opts.kid ?? kid }));
      const payload = b64url(
        JSON.stringify({
          iss: `https://login.microsoftonline.com/${tenant}/v2.0`,
          tid: tenant,
          iat: now,
          nbf: now,
          exp: now + 3600,
          ...claims,
        }),
      );
      const signature = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), opts.with ?? privateKey);
      return `${header}.${payload}.${b64url(signature)}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
