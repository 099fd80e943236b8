import type { KeyObject } from 'node:crypto';
import { constants, createPublicKey, generateKeyPairSync, privateEncrypt, randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { listenOnLoopback } from './fake-server.js';
import { loopbackCertificate } from './loopback-certificate.js';

/** The token the fake accepts; a credential returning it is all a test needs. */
export const FAKE_VAULT_TOKEN = 'fake-key-vault-access-token';

/** A TokenCredential for the fake vault: a static token, never expiring during a test. */
export const fakeVaultCredential = {
  getToken: async () => ({ token: FAKE_VAULT_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }),
};

// RS256 signs DigestInfo(SHA-256, digest) with PKCS#1 v1.5 padding (RFC 8017 §9.2): the vault gets the digest only
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

interface Version {
  readonly version: string;
  readonly privateKey: KeyObject;
  readonly createdSeconds: number;
  enabled: boolean;
}

export interface FakeKeyVault {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  /** The self-signed certificate's PEM, for the SDK's `tlsOptions.ca`. */
  readonly ca: string;
  /** Every request, `METHOD path`, in order (the challenge round trips included). */
  readonly requests: string[];
  /** Adds a new version of `name` created at `createdMs` (it becomes the newest); returns its version. */
  rotate(name: string, createdMs: number): string;
  /** Disables a version, as an operator retiring it early would. */
  disable(name: string, version: string): void;
  close(): Promise<void>;
}

/**
 * A Key Vault keys API on loopback, in the REST shapes of api-version 7.x: challenge authentication
 * (401 with `WWW-Authenticate` until a bearer token comes), `GET /keys/{name}`, `GET /keys/{name}/{version}`,
 * `GET /keys/{name}/versions` and `POST /keys/{name}/{version}/sign`. HTTPS with a certificate made by
 * openssl, since the SDK sends bearer tokens over https only.
 */
export async function startFakeKeyVault(): Promise<FakeKeyVault> {
  const certificate = loopbackCertificate('cloudo-fake-vault-');
  const ca = readFileSync(certificate.certFile, 'utf8');
  const keys = new Map<string, Version[]>();
  const requests: string[] = [];
  let url = '';

  const bundle = (name: string, v: Version) => {
    const jwk = createPublicKey(v.privateKey).export({ format: 'jwk' });
    return {
      key: { kid: `${url}/keys/${name}/${v.version}`, kty: 'RSA-HSM', key_ops: ['sign', 'verify'], n: jwk.n, e: jwk.e },
      attributes: {
        enabled: v.enabled,
        created: v.createdSeconds,
        updated: v.createdSeconds,
        exportable: false,
        recoveryLevel: 'Recoverable',
      },
    };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'https://127.0.0.1');
    requests.push(`${req.method} ${u.pathname}`);
    const body = await new Promise<string>((resolve) => {
      let text = '';
      req.on('data', (c: Buffer) => {
        text += c.toString();
      });
      req.on('end', () => resolve(text));
    });
    const send = (status: number, json: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(json));
    if (req.headers.authorization !== `Bearer ${FAKE_VAULT_TOKEN}`) {
      return send(
        401,
        { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } },
        {
          'www-authenticate':
            'Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000", resource="https://vault.azure.net"',
        },
      );
    }
    if (!u.searchParams.get('api-version'))
      return send(400, { error: { code: 'BadParameter', message: 'api-version missing' } });
    const [, root, name = '', second, third] = u.pathname.split('/');
    const versions = keys.get(name);
    if (root !== 'keys' || !versions)
      return send(404, {
        error: { code: 'KeyNotFound', message: `A key with (name/id) ${name} was not found in this key vault.` },
      });
    if (req.method === 'GET' && second === 'versions') {
      return send(200, {
        value: versions.map((v) => ({ kid: bundle(name, v).key.kid, attributes: bundle(name, v).attributes })),
        nextLink: null,
      });
    }
    const version = second ? versions.find((v) => v.version === second) : versions.at(-1);
    if (!version) return send(404, { error: { code: 'KeyNotFound', message: 'no such version' } });
    if (req.method === 'GET' && third === undefined) return send(200, bundle(name, version));
    if (req.method === 'POST' && third === 'sign') {
      const { alg, value } = JSON.parse(body) as { alg: string; value: string };
      if (!version.enabled)
        return send(403, { error: { code: 'Forbidden', message: 'Operation sign is not allowed on a disabled key.' } });
      if (alg !== 'RS256') return send(400, { error: { code: 'BadParameter', message: `unsupported alg ${alg}` } });
      const digest = Buffer.from(value, 'base64url');
      if (digest.length !== 32)
        return send(400, { error: { code: 'BadParameter', message: 'digest must be 32 bytes' } });
      const signature = privateEncrypt(
        { key: version.privateKey, padding: constants.RSA_PKCS1_PADDING },
        Buffer.concat([SHA256_DIGEST_INFO, digest]),
      );
      return send(200, { kid: bundle(name, version).key.kid, value: signature.toString('base64url') });
    }
    return send(405, { error: { code: 'MethodNotAllowed', message: `${req.method} ${u.pathname}` } });
  };

  const server = createServer(
    { key: readFileSync(certificate.keyFile), cert: ca },
    (req, res) => void handle(req, res).catch((err: unknown) => res.writeHead(500).end(String(err))),
  );
  const listening = await listenOnLoopback(server);
  url = `https://127.0.0.1:${listening.port}`;
  return {
    url,
    ca,
    requests,
    rotate(name, createdMs) {
      const version = randomBytes(16).toString('hex');
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const list = keys.get(name) ?? [];
      list.push({ version, privateKey, createdSeconds: Math.floor(createdMs / 1000), enabled: true });
      keys.set(name, list);
      return version;
    },
    disable(name, version) {
      const v = keys.get(name)?.find((k) => k.version === version);
      if (v) v.enabled = false;
    },
    async close() {
      await listening.close();
      rmSync(certificate.dir, { recursive: true, force: true });
    },
  };
}
