import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { newExecId } from '../../../src/core/execution.js';
import { discoveryDocument, isWithinGrace, toPublicJwk } from '../../../src/core/oidc-discovery.js';
import { compactJwt, jwtSigningInput, RunTokenClaims, runTokenClaims } from '../../../src/core/oidc-token.js';

const ISSUER = 'https://cloudo.example.com/api';
const NOW_MS = Date.parse('2026-03-01T12:00:00.750Z');
const request = { subject: 'schema:disk-cleanup', execId: newExecId(NOW_MS), team: 'ops', trigger: 'http' } as const;

describe('run token claims', () => {
  it('default to ten minutes, audience of token exchange, whole seconds', () => {
    const claims = runTokenClaims(ISSUER, request, NOW_MS, 'jti-1');
    const iat = Math.floor(NOW_MS / 1000);
    expect(claims).toEqual({
      iss: ISSUER,
      sub: 'schema:disk-cleanup',
      aud: 'api://AzureADTokenExchange',
      iat,
      nbf: iat - 30,
      exp: iat + 600,
      jti: 'jti-1',
      exec_id: request.execId,
      team: 'ops',
      trigger: 'http',
    });
  });

  it('take a shorter or longer life up to fifteen minutes, never more', () => {
    expect(runTokenClaims(ISSUER, { ...request, ttlSeconds: 900 }, NOW_MS, 'j').exp).toBe(
      Math.floor(NOW_MS / 1000) + 900,
    );
    for (const ttlSeconds of [901, 59, 0, -1, 1.5]) {
      expect(() => runTokenClaims(ISSUER, { ...request, ttlSeconds }, NOW_MS, 'j'), String(ttlSeconds)).toThrow(
        ZodError,
      );
    }
  });

  it('refuse a request naming no subject, a subject with spaces or controls, or a run id that is not one', () => {
    const wrong = [
      { ...request, subject: '' },
      { ...request, subject: 'schema: x' },
      { ...request, subject: 'a\nb' },
      { ...request, subject: 'x'.repeat(601) },
      { ...request, execId: 'not-a-run' },
      { ...request, trigger: 'smoke-signal' as 'http' },
    ];
    for (const r of wrong) {
      expect(() => runTokenClaims(ISSUER, r, NOW_MS, 'j'), JSON.stringify(r)).toThrow(ZodError);
    }
  });
});

describe('JWT signing input', () => {
  it('is base64url(header).base64url(claims), and the compact token appends the signature', () => {
    const claims = runTokenClaims(ISSUER, request, NOW_MS, 'j');
    const input = jwtSigningInput({ alg: 'RS256', typ: 'JWT', kid: 'k1' }, claims);
    const [h, p] = input.split('.');
    expect(JSON.parse(Buffer.from(h ?? '', 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'k1' });
    expect(RunTokenClaims.parse(JSON.parse(Buffer.from(p ?? '', 'base64url').toString()))).toEqual(claims);
    expect(input).not.toMatch(/[=+/]/);
    expect(compactJwt(input, new Uint8Array([251, 255]))).toBe(`${input}.-_8`);
  });

  it('refuses a header without a kid or with another algorithm', () => {
    const claims = runTokenClaims(ISSUER, request, NOW_MS, 'j');
    expect(() => jwtSigningInput({ alg: 'RS256', typ: 'JWT', kid: '' }, claims)).toThrow(ZodError);
    expect(() => jwtSigningInput({ alg: 'none' as 'RS256', typ: 'JWT', kid: 'k' }, claims)).toThrow(ZodError);
  });
});

describe('discovery and keys', () => {
  it('the discovery document names the issuer and its JWKS under it', () => {
    expect(discoveryDocument(ISSUER)).toEqual({
      issuer: ISSUER,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
  });

  it('a JWKS entry is an RS256 signing key with its kid', () => {
    expect(toPublicJwk('k1', { n: 'abc_-', e: 'AQAB' })).toEqual({
      kty: 'RSA',
      n: 'abc_-',
      e: 'AQAB',
      kid: 'k1',
      alg: 'RS256',
      use: 'sig',
    });
    expect(() => toPublicJwk('k1', { n: 'ab+/', e: 'AQAB' })).toThrow(ZodError);
  });

  it('a retired key stays for the grace period after its successor came, not a moment longer', () => {
    expect(isWithinGrace(1_000, 1_999, 1_000)).toBe(true);
    expect(isWithinGrace(1_000, 2_000, 1_000)).toBe(false);
  });
});
