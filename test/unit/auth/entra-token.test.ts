import { createHook } from 'node:async_hooks';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import type { EntraTokenVerifierOptions } from '../../../src/auth/entra-token.js';
import { createEntraTokenVerifier } from '../../../src/auth/entra-token.js';
import type { FakeEntra } from '../../support/fake-entra.js';
import {
  ACTION_GROUPS_APP_ID,
  ACTION_GROUPS_OBJECT_ID,
  ACTION_GROUPS_ROLE,
  createSigningKey,
  startFakeEntra,
  verifierOptionsFor,
} from '../../support/fake-entra.js';
import { freePort } from '../../support/ports.js';
import { waitFor } from '../../support/wait.js';

const NOW = new Date('2025-06-02T09:30:00Z');
const NOW_S = NOW.getTime() / 1000;
const now = () => NOW;

let entra: FakeEntra;
beforeAll(async () => {
  entra = await startFakeEntra({ now });
});
afterAll(() => entra.close());

const verifier = (overrides: Partial<EntraTokenVerifierOptions> = {}) =>
  createEntraTokenVerifier(verifierOptionsFor(entra, { now, ...overrides }));

describe('Entra token verifier: accepted tokens', () => {
  it('accepts a v1 token from an action group and names the caller', async () => {
    const verdict = await verifier().verify(`Bearer ${await entra.sign()}`);
    expect(verdict).toEqual({
      ok: true,
      subject: {
        appId: ACTION_GROUPS_APP_ID,
        objectId: ACTION_GROUPS_OBJECT_ID,
        tenantId: entra.tenantId,
        roles: [ACTION_GROUPS_ROLE],
      },
    });
  });

  it('accepts a v2 token, reading the caller from azp', async () => {
    const token = await entra.sign({ oid: undefined, roles: undefined }, { version: 'v2' });
    expect(await verifier().verify(`Bearer ${token}`)).toEqual({
      ok: true,
      subject: { appId: ACTION_GROUPS_APP_ID, objectId: null, tenantId: entra.tenantId, roles: [] },
    });
  });

  it('reads the scheme case-insensitively and tolerates surrounding spaces', async () => {
    const token = await entra.sign();
    const check = verifier();
    for (const header of [`bearer ${token}`, `BEARER ${token}`, `  Bearer   ${token}  `]) {
      expect(await check.verify(header)).toMatchObject({ ok: true });
    }
  });

  it('allows clock skew up to the tolerance, and no further', async () => {
    const justExpired = await entra.sign({ exp: NOW_S - 59 });
    const almostValid = await entra.sign({ nbf: NOW_S + 59 });
    expect(await verifier().verify(`Bearer ${justExpired}`)).toMatchObject({ ok: true });
    expect(await verifier().verify(`Bearer ${almostValid}`)).toMatchObject({ ok: true });

    const strict = verifier({ clockToleranceSeconds: 0 });
    expect(await strict.verify(`Bearer ${justExpired}`)).toEqual({ ok: false, reason: 'token expired' });
    expect(await strict.verify(`Bearer ${almostValid}`)).toEqual({ ok: false, reason: 'token not yet valid' });
  });

  it('accepts a caller on the allow-list, whatever the case of its app id', async () => {
    const check = verifier({ allowedAppIds: [ACTION_GROUPS_APP_ID.toUpperCase()] });
    expect(await check.verify(`Bearer ${await entra.sign()}`)).toMatchObject({ ok: true });
  });

  it('matches a tenant id given in upper case', async () => {
    const check = verifier({ tenantId: entra.tenantId.toUpperCase() });
    expect(await check.verify(`Bearer ${await entra.sign()}`)).toMatchObject({ ok: true });
  });

  it('treats an empty allow-list as no allow-list', async () => {
    const token = await entra.sign({ appid: '11111111-2222-3333-4444-555555555555' });
    expect(await verifier({ allowedAppIds: [] }).verify(`Bearer ${token}`)).toMatchObject({ ok: true });
  });
});

describe('Entra token verifier: signing keys', () => {
  it('fetches the keys once for 100 verifications', async () => {
    const token = await entra.sign();
    const check = verifier();
    const before = entra.jwksRequests;

    const verdicts = await Promise.all(Array.from({ length: 99 }, () => check.verify(`Bearer ${token}`)));
    verdicts.push(await check.verify(`Bearer ${token}`));

    expect(verdicts.filter((v) => v.ok)).toHaveLength(100);
    expect(entra.jwksRequests - before).toBe(1);
  });

  it('accepts a rotated key once the 30 s cooldown has passed, without refetching for every token before that', async () => {
    const [rotating, nextKey] = await Promise.all([startFakeEntra({ now }), createSigningKey()]);
    onTestFinished(() => rotating.close());
    const check = createEntraTokenVerifier(verifierOptionsFor(rotating, { now }));
    expect(await check.verify(`Bearer ${await rotating.sign()}`)).toMatchObject({ ok: true });

    await rotating.rotate(nextKey);
    const rotated = `Bearer ${await rotating.sign()}`;
    // inside the cooldown the new kid is unknown, and asking again does not hit the endpoint again
    expect(await check.verify(rotated)).toEqual({ ok: false, reason: 'unknown signing key' });
    expect(await check.verify(rotated)).toEqual({ ok: false, reason: 'unknown signing key' });
    expect(rotating.jwksRequests).toBe(1);

    // jose times its key cache with Date.now(); move only the date, so sockets and timers stay real
    vi.useFakeTimers({ toFake: ['Date'] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    vi.setSystemTime(Date.now() + 30_001);
    expect(await check.verify(rotated)).toMatchObject({ ok: true });
    expect(await check.verify(rotated)).toMatchObject({ ok: true });
    expect(rotating.jwksRequests).toBe(2);
  });

  it('answers "signing keys unavailable" while the JWKS endpoint fails, and recovers without a restart', async () => {
    const token = `Bearer ${await entra.sign()}`;
    const check = verifier();
    entra.failJwks(true);
    onTestFinished(() => entra.failJwks(false));

    expect(await check.verify(token)).toEqual({ ok: false, reason: 'signing keys unavailable' });

    entra.failJwks(false);
    expect(await check.verify(token)).toMatchObject({ ok: true });
  });

  it('answers "signing keys unavailable" when nothing listens at the JWKS address', async () => {
    const check = verifier({ jwksUri: `http://127.0.0.1:${await freePort()}/keys` });
    expect(await check.verify(`Bearer ${await entra.sign()}`)).toEqual({
      ok: false,
      reason: 'signing keys unavailable',
    });
  });

  it('the fake Entra leaves no server or connection behind after close()', async () => {
    // the servers and sockets opened during this test, until destroyed; other test files share this
    // process (the unit project does not isolate files), so a process-wide count would see theirs too
    const open = new Map<number, string>();
    let recording = true;
    const hook = createHook({
      init: (id, type) => {
        if (recording && (type === 'TCPSERVERWRAP' || type === 'TCPWRAP')) open.set(id, type);
      },
      destroy: (id) => open.delete(id),
    });
    hook.enable();
    try {
      const fake = await startFakeEntra({ now });
      const check = createEntraTokenVerifier(verifierOptionsFor(fake, { now }));
      expect(await check.verify(`Bearer ${await fake.sign()}`)).toMatchObject({ ok: true });
      expect([...open.values()]).toContain('TCPSERVERWRAP');

      await fake.close();
      recording = false;

      // libuv releases a closed handle on its next turn, and the client end of a socket once it reads the close
      await waitFor('the fake to release its handles', () => (open.size === 0 ? true : undefined), 1000);
      await expect(fetch(fake.jwksUri)).rejects.toThrow();
    } finally {
      hook.disable();
    }
  });
});

describe('Entra token verifier: options', () => {
  const valid: EntraTokenVerifierOptions = {
    tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    audiences: ['api://cloudo'],
  };

  it.each<[string, Partial<EntraTokenVerifierOptions>, RegExp]>([
    ['an empty tenantId', { tenantId: ' ' }, /tenantId is empty: set it to the directory \(tenant\) id, a GUID/],
    [
      'a domain as tenantId',
      { tenantId: 'contoso.onmicrosoft.com' },
      /tenantId "contoso.onmicrosoft.com" is not a GUID/,
    ],
    ['no audiences', { audiences: [] }, /audiences is empty: list the Application ID URI/],
    ['an empty audience', { audiences: ['api://cloudo', ''] }, /audiences contains an empty value/],
    ['a jwksUri that is not a URL', { jwksUri: 'keys.example' }, /jwksUri "keys.example" is not a URL/],
    ['a plain-http jwksUri', { jwksUri: 'http://keys.example/keys' }, /must use https/],
    ['no issuers', { issuers: [] }, /issuers is empty/],
    ['a negative clock tolerance', { clockToleranceSeconds: -1 }, /clockToleranceSeconds must be >= 0, got -1/],
    ['a zero cache age', { jwksCacheMaxAgeMs: 0 }, /jwksCacheMaxAgeMs must be > 0, got 0/],
    ['a NaN cooldown', { jwksCooldownMs: Number.NaN }, /jwksCooldownMs must be >= 0, got NaN/],
  ])('refuses %s', (_, overrides, message) => {
    expect(() => createEntraTokenVerifier({ ...valid, ...overrides })).toThrow(message);
  });

  it('names every problem at once', () => {
    expect(() => createEntraTokenVerifier({ tenantId: '', audiences: [], jwksUri: 'nope' })).toThrow(
      /tenantId is empty[\s\S]*audiences is empty[\s\S]*jwksUri "nope" is not a URL/,
    );
  });
});
