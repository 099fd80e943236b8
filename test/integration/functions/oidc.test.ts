import { generateKeyPairSync, sign } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newExecId } from '../../../src/core/execution.js';
import { compactJwt, jwtSigningInput, runTokenClaims } from '../../../src/core/oidc-token.js';
import { createFunctionDefinitions } from '../../../src/functions/index.js';
import type { ServicesProvider } from '../../../src/functions/services.js';
import type { RunningHttpHost } from '../../../src/local/http-host.js';
import { startHttpHost } from '../../../src/local/http-host.js';
import { testServices } from '../../support/functions.js';
import { FUNCTION_KEY, MASTER_KEY } from '../../support/secured-app.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

/**
 * The issuer as Entra meets it: discovery and keys over real HTTP, anonymous and cacheable, and a run's
 * token verified the way a relying party does (fetching the JWKS the discovery document names).
 */
describe('OIDC issuer routes', () => {
  let t: TestStorage;
  let host: RunningHttpHost;
  let services: ServicesProvider;
  let issuer: string;

  beforeAll(async () => {
    t = await createTestStorage();
    // the issuer is the host's own address, known once it listens: the provider reads it on first call
    let provider: ServicesProvider | undefined;
    services = () => {
      provider ??= testServices(t, { oidc: { issuer, issuerProblem: null } });
      return provider();
    };
    host = await startHttpHost({
      definitions: createFunctionDefinitions(services),
      port: 0,
      keys: { functionKeys: [FUNCTION_KEY], masterKey: MASTER_KEY },
      log: () => undefined,
    });
    issuer = `${host.url}/api`;
  });
  afterAll(async () => {
    await host.close();
    await t.cleanup();
  });

  it('serves the discovery document anonymously, cacheable, naming the issuer and its JWKS', async () => {
    const res = await fetch(`${issuer}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
  });

  it('serves the key set anonymously, cacheable, public keys only', async () => {
    const res = await fetch(`${issuer}/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const body = (await res.json()) as { keys: Record<string, string>[] };
    expect(body.keys).toEqual([
      { kty: 'RSA', n: expect.any(String), e: 'AQAB', kid: expect.any(String), alg: 'RS256', use: 'sig' },
    ]);
    expect(JSON.stringify(body)).not.toMatch(/"(d|p|q|dp|dq|qi)"/);
  });

  it('issues a token that verifies against the served JWKS with the right iss, aud, sub and exp', async () => {
    const oidc = services().oidc;
    if (!oidc) throw new Error('the test services have an issuer');
    const execId = newExecId();
    const { token, expiresOn } = await oidc.issue({
      subject: 'schema:restart-pod',
      execId,
      team: 'platform',
      trigger: 'alert',
      ttlSeconds: 300,
    });
    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
      jwks_uri: string;
    };
    const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(discovery.jwks_uri)), {
      issuer,
      audience: 'api://AzureADTokenExchange',
      subject: 'schema:restart-pod',
      algorithms: ['RS256'],
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({ exec_id: execId, team: 'platform', trigger: 'alert' });
    expect(payload.exp).toBe(Math.floor(expiresOn.getTime() / 1000));
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);
  });

  it('a token signed by another key, even naming the served kid, does not verify', async () => {
    const jwks = (await (await fetch(`${issuer}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const claims = runTokenClaims(
      issuer,
      { subject: 'schema:x', execId: newExecId(), team: null, trigger: 'http' },
      Date.now(),
      'forged',
    );
    const input = jwtSigningInput({ alg: 'RS256', typ: 'JWT', kid: jwks.keys[0]?.kid ?? '' }, claims);
    const forged = compactJwt(input, sign('sha256', Buffer.from(input), privateKey));
    await expect(
      jwtVerify(forged, createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)), { issuer }),
    ).rejects.toThrow(/signature verification failed/);
  });
});

describe('OIDC issuer routes without an issuer', () => {
  it('answer 404 naming the setting to make', async () => {
    const t = await createTestStorage();
    // the test default CLOUDO_PUBLIC_URL is http://cloudo.test: not loopback, not https, so no issuer
    const host = await startHttpHost({
      definitions: createFunctionDefinitions(testServices(t)),
      port: 0,
      keys: { functionKeys: [FUNCTION_KEY], masterKey: MASTER_KEY },
      log: () => undefined,
    });
    try {
      for (const route of ['openid-configuration', 'jwks.json']) {
        const res = await fetch(`${host.url}/api/.well-known/${route}`);
        expect(res.status).toBe(404);
        expect(await res.json()).toEqual({ error: expect.stringMatching(/must be https.*set CLOUDO_OIDC_ISSUER/) });
      }
    } finally {
      await host.close();
      await t.cleanup();
    }
  });
});
