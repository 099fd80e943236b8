import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FederatedTokenAnswer, federatedTokenPath } from '../../../src/core/federated-token.js';
import type { WorkerCall } from '../../../src/core/worker-signature.js';
import {
  checkWorkerSignature,
  WORKER_SIGNATURE_WINDOW_MS,
  workerSignature,
} from '../../../src/core/worker-signature.js';

const KEY = 'worker-key-0123456789abcdefghijklmnopqrstuvwxyz';
const NOW = Date.parse('2026-12-06T10:00:00Z');
const EXEC_ID = '3f0b8a52-7c1e-4d55-9a3e-1b2c3d4e5f60';
const CALL: WorkerCall = { method: 'POST', path: federatedTokenPath(EXEC_ID), workerId: 'host-a-4242-a1b2c3' };

describe('the x-cloudo-worker signature', () => {
  it('is the documented HMAC, so the app can check it from the contract alone', () => {
    const header = workerSignature(KEY, CALL, NOW);
    const [version, at, nonce, mac] = header.split('.');
    expect([version, at]).toEqual(['v1', String(NOW)]);
    expect(nonce).toMatch(/^[0-9a-f]{16}$/);
    const expected = createHmac('sha256', KEY)
      .update(`v1\nPOST\n/api/runs/${EXEC_ID}/federated-token\nhost-a-4242-a1b2c3\n${NOW}\n${nonce}`)
      .digest('base64url');
    expect(mac).toBe(expected);
  });

  it('accepts a fresh call, whatever the case of its method', () => {
    const header = workerSignature(KEY, { ...CALL, method: 'post' }, NOW);
    expect(checkWorkerSignature(KEY, CALL, header, NOW + 1_000)).toMatchObject({ ok: true, at: NOW });
  });

  it('refuses a missing, malformed, foreign, tampered, redirected or stale header, saying which', () => {
    const header = workerSignature(KEY, CALL, NOW);
    const reason = (presented: string | undefined, call: WorkerCall = CALL, key = KEY, now = NOW) => {
      const check = checkWorkerSignature(key, call, presented, now);
      return check.ok ? 'ok' : check.reason;
    };
    expect(reason(undefined)).toBe('missing');
    expect(reason('')).toBe('missing');
    expect(reason('Bearer x')).toBe('malformed');
    expect(reason(`${header}=`)).toBe('malformed');
    expect(reason(header, CALL, 'another-key-0123456789abcdefghijklmnopqrst')).toBe('bad-signature');
    // bound to the run, the method and the worker the body names
    expect(reason(header, { ...CALL, path: federatedTokenPath('another-run') })).toBe('bad-signature');
    expect(reason(header, { ...CALL, method: 'GET' })).toBe('bad-signature');
    expect(reason(header, { ...CALL, workerId: 'host-b-1-ffffff' })).toBe('bad-signature');
    // the moment is signed: moving it breaks the signature
    expect(reason(header.replace(`v1.${NOW}.`, `v1.${NOW + 1}.`))).toBe('bad-signature');
    expect(reason(header, CALL, KEY, NOW + WORKER_SIGNATURE_WINDOW_MS)).toBe('ok');
    expect(reason(header, CALL, KEY, NOW + WORKER_SIGNATURE_WINDOW_MS + 1)).toBe('expired');
    expect(reason(header, CALL, KEY, NOW - WORKER_SIGNATURE_WINDOW_MS - 1)).toBe('expired');
  });

  it('gives every call its own nonce', () => {
    const a = checkWorkerSignature(KEY, CALL, workerSignature(KEY, CALL, NOW), NOW);
    const b = checkWorkerSignature(KEY, CALL, workerSignature(KEY, CALL, NOW), NOW);
    if (!a.ok || !b.ok) throw new Error('fresh calls refused');
    expect(a.nonce).not.toBe(b.nonce);
  });
});

describe('the federated-token answer', () => {
  const answer = {
    token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJydW4ifQ.c2ln',
    expiresOn: '2026-12-06T10:15:00.000Z',
    clientId: '11111111-2222-4333-8444-555555555555',
    tenantId: '66666666-7777-4888-9999-000000000000',
    authorityHost: 'https://login.microsoftonline.com/',
  };

  it('parses what the app sends', () => {
    expect(FederatedTokenAnswer.parse(answer)).toEqual(answer);
  });

  it('refuses a token that is not a JWT or ids that are not GUIDs, naming the field', () => {
    const fail = (patch: object) => FederatedTokenAnswer.safeParse({ ...answer, ...patch }).error?.issues[0]?.path;
    expect(fail({ token: 'not a jwt' })).toEqual(['token']);
    expect(fail({ clientId: 'worker' })).toEqual(['clientId']);
    expect(fail({ expiresOn: 'soon' })).toEqual(['expiresOn']);
  });
});
