/**
 * Attacks on the Secure Webhook's bearer token. Each one is refused with its own reason, and the cases that
 * cannot be an Entra token at all are refused before the signing keys are fetched.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntraTokenVerifierOptions } from '../../src/auth/entra-token.js';
import { createEntraTokenVerifier } from '../../src/auth/entra-token.js';
import type { FakeEntra, SigningKey } from '../support/fake-entra.js';
import { ACTION_GROUPS_APP_ID, createSigningKey, startFakeEntra, verifierOptionsFor } from '../support/fake-entra.js';

const NOW = new Date('2025-06-02T09:30:00Z');
const NOW_S = NOW.getTime() / 1000;
const OTHER_TENANT = randomUUID();

let entra: FakeEntra;
/** A key Entra never published, with a kid of its own. */
let strangerKey: SigningKey;
/** A key Entra never published, claiming the kid of the published one. */
let forgedKey: SigningKey;
beforeAll(async () => {
  entra = await startFakeEntra({ now: () => NOW });
  [strangerKey, forgedKey] = await Promise.all([createSigningKey(), createSigningKey(entra.currentKey.kid)]);
});
afterAll(() => entra.close());

interface Attack {
  name: string;
  /** The Authorization header the attacker sends. */
  header: () => Promise<string | null>;
  reason: string;
  /** Whether the verifier may fetch the signing keys before refusing (false: refused on sight). */
  fetchesKeys: boolean;
  options?: Partial<EntraTokenVerifierOptions>;
}

const bearer = async (token: Promise<string>) => `Bearer ${await token}`;

/** Swaps a signed token's protected header for `header` merged into it, keeping claims and signature. */
async function withHeader(header: Record<string, unknown>): Promise<string> {
  const [protectedHeader, payload, signature] = (await entra.sign()).split('.');
  const original = JSON.parse(Buffer.from(protectedHeader ?? '', 'base64url').toString()) as Record<string, unknown>;
  const swapped = Buffer.from(JSON.stringify({ ...original, ...header })).toString('base64url');
  return `Bearer ${swapped}.${payload}.${signature}`;
}

/** Swaps a signed token's claims, keeping header and signature. */
async function tampered(claims: Record<string, unknown>): Promise<string> {
  const [header, payload, signature] = (await entra.sign()).split('.');
  const original = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
  const swapped = Buffer.from(JSON.stringify({ ...original, ...claims })).toString('base64url');
  return `Bearer ${header}.${swapped}.${signature}`;
}

const attacks: Attack[] = [
  {
    name: 'a replayed token, expired beyond the clock tolerance',
    header: () => bearer(entra.sign({ iat: NOW_S - 3700, nbf: NOW_S - 3700, exp: NOW_S - 61 })),
    reason: 'token expired',
    fetchesKeys: true,
  },
  {
    name: 'a token that is not valid yet',
    header: () => bearer(entra.sign({ nbf: NOW_S + 61, exp: NOW_S + 3600 })),
    reason: 'token not yet valid',
    fetchesKeys: true,
  },
  {
    name: 'a token without an expiry',
    header: () => bearer(entra.sign({ exp: undefined })),
    reason: 'token has no "exp" claim',
    fetchesKeys: true,
  },
  {
    name: 'a token for another API of the tenant (Microsoft Graph)',
    header: () => bearer(entra.sign({ aud: 'https://graph.microsoft.com' })),
    reason: 'wrong audience',
    fetchesKeys: true,
  },
  {
    name: 'a v2 token for another app registration',
    header: () => bearer(entra.sign({ aud: randomUUID() }, { version: 'v2' })),
    reason: 'wrong audience',
    fetchesKeys: true,
  },
  {
    name: 'a token from an issuer that is not Entra',
    header: () => bearer(entra.sign({ iss: `https://login.example.com/${entra.tenantId}/v2.0` })),
    reason: 'wrong issuer',
    fetchesKeys: true,
  },
  {
    // Entra signs all tenants' tokens with the same keys, so this one verifies: only iss/tid stop it
    name: "another tenant's token for a multi-tenant app with the same audience",
    header: () =>
      bearer(
        entra.sign(
          { iss: `https://login.microsoftonline.com/${OTHER_TENANT}/v2.0`, tid: OTHER_TENANT },
          { version: 'v2' },
        ),
      ),
    reason: 'token issued by another tenant',
    fetchesKeys: true,
  },
  {
    name: "a token with our issuer but another tenant's tid",
    header: () => bearer(entra.sign({ tid: OTHER_TENANT })),
    reason: 'token issued by another tenant',
    fetchesKeys: true,
  },
  {
    name: 'a token signed by a key Entra never published',
    header: () => bearer(entra.sign({}, { key: strangerKey })),
    reason: 'unknown signing key',
    fetchesKeys: true,
  },
  {
    name: "a forged token: another key under the published key's kid",
    header: () => bearer(entra.sign({}, { key: forgedKey })),
    reason: 'signature does not verify',
    fetchesKeys: true,
  },
  {
    name: 'a genuine token whose claims were edited (an extra role)',
    header: () => tampered({ roles: ['ActionGroupsSecureWebhook', 'Admin'] }),
    reason: 'signature does not verify',
    fetchesKeys: true,
  },
  {
    name: 'a genuine token with its signature cut off',
    header: async () => `${(await bearer(entra.sign())).split('.').slice(0, 2).join('.')}.`,
    reason: 'signature does not verify',
    fetchesKeys: true,
  },
  {
    name: 'a token demanding an extension ClouDO does not know (crit)',
    header: () => withHeader({ crit: ['urn:example:must-understand'], 'urn:example:must-understand': true }),
    reason: 'token uses a feature ClouDO does not accept (ERR_JOSE_NOT_SUPPORTED)',
    fetchesKeys: false,
  },
  {
    name: 'a token whose crit names a header it does not carry',
    header: () => withHeader({ crit: ['b64'] }),
    reason: 'malformed token',
    fetchesKeys: false,
  },
  {
    name: 'an unsigned token (alg "none")',
    header: () => bearer(entra.sign({}, { alg: 'none' })),
    reason: 'unsupported algorithm "none"',
    fetchesKeys: false,
  },
  {
    name: 'an HS256 token signed with an empty key',
    header: () => bearer(entra.sign({}, { alg: 'HS256', key: new Uint8Array(0) })),
    reason: 'unsupported algorithm "HS256"',
    fetchesKeys: false,
  },
  {
    name: 'an HS256 token keyed with the published public key (algorithm confusion)',
    header: () => bearer(entra.sign({}, { alg: 'HS256', key: Buffer.from(entra.currentKey.publicKeyPem) })),
    reason: 'unsupported algorithm "HS256"',
    fetchesKeys: false,
  },
  {
    name: 'an HS256 token keyed with the published JWK',
    header: () =>
      bearer(entra.sign({}, { alg: 'HS256', key: Buffer.from(JSON.stringify(entra.currentKey.publicJwk)) })),
    reason: 'unsupported algorithm "HS256"',
    fetchesKeys: false,
  },
  {
    name: 'a token from an app that is not on the allow-list',
    header: () => bearer(entra.sign({ appid: randomUUID() })),
    reason: 'caller app not allowed',
    fetchesKeys: true,
    options: { allowedAppIds: [ACTION_GROUPS_APP_ID] },
  },
  {
    name: 'a v2 token whose azp is not on the allow-list, even with an allowed appid beside it',
    header: () => bearer(entra.sign({ azp: randomUUID(), appid: ACTION_GROUPS_APP_ID }, { version: 'v2' })),
    reason: 'caller app not allowed',
    fetchesKeys: true,
    options: { allowedAppIds: [ACTION_GROUPS_APP_ID] },
  },
  {
    name: 'a token that names no caller app',
    header: () => bearer(entra.sign({ appid: undefined })),
    reason: 'token names no caller app',
    fetchesKeys: true,
  },
  {
    name: 'a token with roles of the wrong shape',
    header: () => bearer(entra.sign({ roles: 'Admin' })),
    reason: 'malformed claims',
    fetchesKeys: true,
  },
  {
    name: 'a token without a key id',
    header: () => bearer(entra.sign({}, { kid: '' })),
    reason: 'token has no key id',
    fetchesKeys: false,
  },
];

const malformedHeaders: [string | null, string][] = [
  [null, 'missing Authorization header'],
  ['', 'missing Authorization header'],
  ['Basic x', 'expected a Bearer token'],
  ['Bearer', 'empty bearer token'],
  ['Bearer ', 'empty bearer token'],
  ['Bearer a.b', 'malformed token'],
  ['Bearer a.b.c.d.e', 'malformed token'],
  ['Bearer a.b.c', 'malformed token'],
  ['Bearer e30.e30.sig more', 'malformed token'],
  ['Bearer e30.e30.s!g', 'malformed token'],
  ['%%%garbage%%%', 'expected a Bearer token'],
  ['eyJhbGciOiJSUzI1NiJ9.e30.c2ln', 'expected a Bearer token'],
];

describe('Secure Webhook tokens: attacks are refused', () => {
  for (const { name, header, reason, fetchesKeys, options } of attacks) {
    it(`refuses ${name}: "${reason}"`, async () => {
      const verifier = createEntraTokenVerifier(verifierOptionsFor(entra, { now: () => NOW, ...options }));
      const before = entra.jwksRequests;

      expect(await verifier.verify(await header())).toEqual({ ok: false, reason });
      expect(entra.jwksRequests - before).toBe(fetchesKeys ? 1 : 0);
    });
  }

  it.each(malformedHeaders)('refuses the header %j before fetching keys: "%s"', async (header, reason) => {
    const verifier = createEntraTokenVerifier(verifierOptionsFor(entra, { now: () => NOW }));
    const before = entra.jwksRequests;

    expect(await verifier.verify(header)).toEqual({ ok: false, reason });
    expect(entra.jwksRequests).toBe(before);
  });

  it('does not echo an attacker-chosen algorithm name that is not one', async () => {
    const header = Buffer.from(JSON.stringify({ alg: '<script>alert(1)</script>', kid: 'x' })).toString('base64url');
    const verifier = createEntraTokenVerifier(verifierOptionsFor(entra, { now: () => NOW }));
    expect(await verifier.verify(`Bearer ${header}.e30.`)).toEqual({ ok: false, reason: 'unsupported algorithm' });
  });
});
