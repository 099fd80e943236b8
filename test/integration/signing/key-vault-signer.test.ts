import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newExecId } from '../../../src/core/execution.js';
import { KeyVaultSigner, OidcIssuer } from '../../../src/signing/index.js';
import type { FakeKeyVault } from '../../support/fake-key-vault.js';
import { fakeVaultCredential, startFakeKeyVault } from '../../support/fake-key-vault.js';

const ISSUER = 'https://cloudo.example.com/api';
const HOUR_MS = 3_600_000;

describe('KeyVaultSigner against a loopback Key Vault', () => {
  let vault: FakeKeyVault;
  let nowMs = Date.parse('2026-03-01T12:00:00Z');
  const now = () => nowMs;

  const signer = (name: string, refreshMs = 0) =>
    new KeyVaultSigner({
      vaultUrl: vault.url,
      keyName: name,
      credential: fakeVaultCredential,
      graceMs: 24 * HOUR_MS,
      refreshMs,
      now,
      // the fake's self-signed certificate, and a challenge naming vault.azure.net, not 127.0.0.1
      clientOptions: { tlsOptions: { ca: vault.ca }, disableChallengeResourceVerification: true },
    });

  beforeAll(async () => {
    vault = await startFakeKeyVault();
  });
  afterAll(() => vault.close());

  it('signs through the keys API; the token verifies against the JWKS it serves', async () => {
    vault.rotate('run-tokens', nowMs - HOUR_MS);
    const s = signer('run-tokens');
    const issuer = new OidcIssuer({ issuer: ISSUER, signer: s, now });
    const execId = newExecId(nowMs);
    const { token, expiresOn } = await issuer.issue({
      subject: 'schema:disk-cleanup',
      execId,
      team: 'ops',
      trigger: 'http',
    });
    const jwks = await s.publicJwks();
    expect(jwks.keys).toHaveLength(1);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', typ: 'JWT', kid: jwks.keys[0]?.kid });
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: ISSUER,
      audience: 'api://AzureADTokenExchange',
      currentDate: new Date(nowMs),
    });
    expect(payload).toMatchObject({ sub: 'schema:disk-cleanup', exec_id: execId, team: 'ops', trigger: 'http' });
    expect(expiresOn.getTime()).toBe(Math.floor(nowMs / 1000) * 1000 + 600_000);
    // the private key never left the vault: the signature came from POST .../sign
    expect(vault.requests.filter((r) => r.startsWith('POST ')).every((r) => r.endsWith('/sign'))).toBe(true);
    expect(vault.requests.some((r) => /^POST \/keys\/run-tokens\/[0-9a-f]{32}\/sign$/.test(r))).toBe(true);
  });

  it('signs with a new version once it exists, and keeps the old one in the JWKS for the grace period only', async () => {
    const first = vault.rotate('rotating', nowMs - 10 * HOUR_MS);
    const s = signer('rotating');
    const before = await s.currentKey();
    nowMs += HOUR_MS;
    vault.rotate('rotating', nowMs);
    const after = await s.currentKey();
    expect(after.kid).not.toBe(before.kid);
    expect((await s.publicJwks()).keys.map((k) => k.kid)).toEqual([after.kid, before.kid]);

    const issuer = new OidcIssuer({ issuer: ISSUER, signer: s, now });
    const { token } = await issuer.issue({ subject: 'schema:x', execId: newExecId(nowMs), team: null, trigger: 'cli' });
    expect(decodeProtectedHeader(token).kid).toBe(after.kid);

    nowMs += 24 * HOUR_MS;
    expect((await s.publicJwks()).keys.map((k) => k.kid)).toEqual([after.kid]);
    expect(first).toMatch(/^[0-9a-f]{32}$/);
  });

  it('drops a disabled previous version from the JWKS at once', async () => {
    const old = vault.rotate('disabled', nowMs - HOUR_MS);
    vault.rotate('disabled', nowMs);
    const s = signer('disabled');
    expect((await s.publicJwks()).keys).toHaveLength(2);
    vault.disable('disabled', old);
    expect((await s.publicJwks()).keys).toHaveLength(1);
  });

  it('reads the vault once per refresh period, not once per token', async () => {
    vault.rotate('cached', nowMs);
    const s = signer('cached', 300_000);
    await s.publicJwks();
    const reads = vault.requests.length;
    await s.publicJwks();
    await s.currentKey();
    expect(vault.requests.length).toBe(reads);
  });

  it('a token signed by another key does not verify against the served JWKS', async () => {
    vault.rotate('a', nowMs);
    vault.rotate('b', nowMs);
    const a = signer('a');
    const b = signer('b');
    const { token } = await new OidcIssuer({ issuer: ISSUER, signer: b, now }).issue({
      subject: 'schema:x',
      execId: newExecId(nowMs),
      team: null,
      trigger: 'alert',
    });
    await expect(
      jwtVerify(token, createLocalJWKSet(await a.publicJwks()), { currentDate: new Date(nowMs) }),
    ).rejects.toThrow(/no applicable key found|JWKSNoMatchingKey/);
  });
});
