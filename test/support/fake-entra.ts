import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { CryptoKey, JWK } from 'jose';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import type { EntraTokenVerifierOptions } from '../../src/auth/entra-token.js';
import { listenOnLoopback } from './fake-server.js';

/** The app Azure Monitor action groups call Secure Webhooks as (Microsoft's "AzNS AAD Webhook" service principal). */
export const ACTION_GROUPS_APP_ID = '461e8683-5575-4561-ac7f-899cc907d62a';
/** Object id of that service principal in the fake tenant. */
export const ACTION_GROUPS_OBJECT_ID = '0b5c3c5e-4a4b-4a0e-9d3c-2f1e6c7b8a90';
/** The app role the Secure Webhook setup script assigns to action groups. */
export const ACTION_GROUPS_ROLE = 'ActionGroupsSecureWebhook';
/** The app registration the webhook asks tokens for: v2 tokens carry its client id as `aud`... */
export const CLOUDO_APP_ID = '7f3a1b2c-8d9e-4f60-a1b2-c3d4e5f60718';
/** ...and v1 tokens the Application ID URI it was requested with. */
export const CLOUDO_APP_ID_URI = `api://${CLOUDO_APP_ID}`;

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  /** The public half as published in the JWKS. */
  readonly publicJwk: JWK;
  /** The public half as SPKI PEM: what an algorithm-confusion attacker uses as an HMAC secret. */
  readonly publicKeyPem: string;
}

/** An RS256 key pair with an Entra-style kid (a base64url thumbprint). */
export async function createSigningKey(kid = randomBytes(20).toString('base64url')): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  // Entra's keys carry no "alg"; x5t repeats the kid
  const publicJwk: JWK = { kty: 'RSA', use: 'sig', kid, x5t: kid, ...(await exportJWK(publicKey)) };
  return { kid, privateKey, publicJwk, publicKeyPem: await exportSPKI(publicKey) };
}

/** How to sign: RS256 with the current key by default, or the unsigned and HMAC tokens attackers send. */
export type SignOptions = {
  /** Issuer and claim style: v1 (`sts.windows.net`, `appid`) or v2 (`login.microsoftonline.com/.../v2.0`, `azp`). Default v1. */
  version?: 'v1' | 'v2';
  /** `kid` header. Default the kid of `key`, or of the current key. */
  kid?: string;
} & (
  | { alg?: 'RS256'; key?: SigningKey }
  | { alg: 'HS256' /** HMAC secret, any bytes, empty included. */; key: Uint8Array }
  | { alg: 'none' }
);

/** Claims to set over the defaults; a claim set to undefined is left out. */
export type ClaimOverrides = Readonly<Record<string, unknown>>;

export interface FakeEntraOptions {
  /** Default a random GUID. */
  tenantId?: string;
  /** Clock for the default iat/nbf/exp. Default the system clock. */
  now?: () => Date;
}

export interface FakeEntra {
  readonly tenantId: string;
  /** `http://127.0.0.1:<port>/<tenantId>/discovery/v2.0/keys` */
  readonly jwksUri: string;
  /** The key tokens are signed with by default; the JWKS publishes it (and only it). */
  readonly currentKey: SigningKey;
  /** JWKS requests served so far, failed ones included. */
  readonly jwksRequests: number;
  /** Signs with `key` (default a new one) and publishes only it, as a rotation that withdraws the old key. */
  rotate(key?: SigningKey): Promise<SigningKey>;
  /** While true, the JWKS endpoint answers 500. */
  failJwks(failing: boolean): void;
  /** Issues a token shaped like Entra's access tokens for the Secure Webhook, signed as `options` says. */
  sign(claims?: ClaimOverrides, options?: SignOptions): Promise<string>;
  /** Stops the server and closes its connections; resolves once they are closed. */
  close(): Promise<void>;
}

/** A loopback Entra ID: publishes a JWKS for one tenant and issues tokens for the ClouDO app registration. */
export async function startFakeEntra(options: FakeEntraOptions = {}): Promise<FakeEntra> {
  const tenantId = options.tenantId ?? randomUUID();
  const now = options.now ?? (() => new Date());
  const jwksPath = `/${tenantId}/discovery/v2.0/keys`;
  let currentKey = await createSigningKey();
  let jwksRequests = 0;
  let failing = false;

  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== jwksPath) {
      res.writeHead(404).end();
      return;
    }
    jwksRequests += 1;
    if (failing) {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"temporarily_unavailable"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [currentKey.publicJwk] }));
  });
  const { port, close } = await listenOnLoopback(server);

  const defaultClaims = (version: 'v1' | 'v2'): Record<string, unknown> => {
    const iat = Math.floor(now().getTime() / 1000) - 60;
    const common = {
      iat,
      nbf: iat,
      exp: iat + 3600,
      aio: randomBytes(24).toString('base64url'),
      oid: ACTION_GROUPS_OBJECT_ID,
      rh: `0.A${randomBytes(30).toString('base64url')}.`,
      roles: [ACTION_GROUPS_ROLE],
      sub: ACTION_GROUPS_OBJECT_ID,
      tid: tenantId,
      uti: randomBytes(16).toString('base64url'),
    };
    return version === 'v1'
      ? {
          aud: CLOUDO_APP_ID_URI,
          iss: `https://sts.windows.net/${tenantId}/`,
          idp: `https://sts.windows.net/${tenantId}/`,
          appid: ACTION_GROUPS_APP_ID,
          appidacr: '2',
          ...common,
          ver: '1.0',
        }
      : {
          aud: CLOUDO_APP_ID,
          iss: `https://login.microsoftonline.com/${tenantId}/v2.0`,
          azp: ACTION_GROUPS_APP_ID,
          azpacr: '2',
          ...common,
          ver: '2.0',
        };
  };

  return {
    tenantId,
    jwksUri: `http://127.0.0.1:${port}${jwksPath}`,
    get currentKey() {
      return currentKey;
    },
    get jwksRequests() {
      return jwksRequests;
    },
    async rotate(key) {
      currentKey = key ?? (await createSigningKey());
      return currentKey;
    },
    failJwks(value) {
      failing = value;
    },
    async sign(claims = {}, signOptions = {}) {
      const version = signOptions.version ?? 'v1';
      const payload = Object.fromEntries(
        Object.entries({ ...defaultClaims(version), ...claims }).filter(([, value]) => value !== undefined),
      );
      const rsaKey =
        signOptions.alg === undefined || signOptions.alg === 'RS256' ? (signOptions.key ?? currentKey) : null;
      const kid = signOptions.kid ?? rsaKey?.kid ?? currentKey.kid;
      const header = { typ: 'JWT', alg: signOptions.alg ?? 'RS256', ...(version === 'v1' ? { x5t: kid } : {}), kid };
      if (signOptions.alg === 'HS256' || signOptions.alg === 'none') {
        // jose refuses to make these (an empty HMAC key, no signature), so they are built by hand
        const signingInput = `${encodeJson(header)}.${encodeJson(payload)}`;
        const signature =
          signOptions.alg === 'HS256'
            ? createHmac('sha256', signOptions.key).update(signingInput).digest('base64url')
            : '';
        return `${signingInput}.${signature}`;
      }
      return new SignJWT(payload).setProtectedHeader(header).sign((rsaKey ?? currentKey).privateKey);
    },
    close,
  };
}

/** Verifier options that trust `entra` for the ClouDO app registration (both audience forms). */
export function verifierOptionsFor(
  entra: FakeEntra,
  overrides: Partial<EntraTokenVerifierOptions> = {},
): EntraTokenVerifierOptions {
  return {
    tenantId: entra.tenantId,
    audiences: [CLOUDO_APP_ID_URI, CLOUDO_APP_ID],
    jwksUri: entra.jwksUri,
    ...overrides,
  };
}

/** The app's Secure Webhook settings (CLOUDO_WEBHOOK_*) trusting this Entra and the action groups' app. */
export function webhookSettingsFor(entra: FakeEntra) {
  return {
    tenantId: entra.tenantId,
    audiences: [CLOUDO_APP_ID_URI],
    jwksUri: entra.jwksUri,
    allowedAppIds: [ACTION_GROUPS_APP_ID],
    appRole: ACTION_GROUPS_ROLE,
  };
}

function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
