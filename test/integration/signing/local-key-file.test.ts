import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newExecId } from '../../../src/core/execution.js';
import { LocalKeyFileSigner, OidcIssuer } from '../../../src/signing/index.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const HOUR_MS = 3_600_000;
const ISSUER = 'http://127.0.0.1:7071/api';

/** Another process opening the same key file: prints the kid it would sign with. */
function kidInOtherProcess(file: string): Promise<string> {
  const code = `import { LocalKeyFileSigner } from './src/signing/index.ts';
const s = new LocalKeyFileSigner({ path: ${JSON.stringify(file)}, graceMs: 3600000 });
process.stdout.write((await s.currentKey()).kid);`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('error', reject);
    child.on('close', (status) => (status === 0 ? resolve(out) : reject(new Error(`exit ${status}: ${err}`))));
  });
}

describe('LocalKeyFileSigner', () => {
  let dir: string;
  let file: string;
  let nowMs = Date.parse('2026-03-01T12:00:00Z');
  const now = () => nowMs;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cloudo-oidc-keys-'));
    file = path.join(dir, 'nested', 'oidc-signing-keys.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the key file on first use, readable by its owner only, and another process signs with the same key', async () => {
    const signer = new LocalKeyFileSigner({ path: file, graceMs: HOUR_MS, now });
    const { kid } = await signer.currentKey();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain('PRIVATE KEY');
    expect(await kidInOtherProcess(file)).toBe(kid);
  });

  it('gives processes racing to create the file one key', async () => {
    const kids = await Promise.all(Array.from({ length: 6 }, () => kidInOtherProcess(file)));
    expect(new Set(kids).size).toBe(1);
    expect(await new LocalKeyFileSigner({ path: file, graceMs: HOUR_MS }).currentKey()).toMatchObject({ kid: kids[0] });
    // the losers' candidates were removed, not left beside the file
    expect(readdirSync(path.dirname(file))).toEqual(['oidc-signing-keys.json']);
  });

  it('rotation signs with a new key and keeps the old public key in the JWKS until the grace period ends', async () => {
    const signer = new LocalKeyFileSigner({ path: file, graceMs: 24 * HOUR_MS, now });
    const issuer = new OidcIssuer({ issuer: ISSUER, signer, now });
    const request = { subject: 'schema:x', execId: newExecId(nowMs), team: 'ops', trigger: 'schedule' } as const;
    const old = await issuer.issue(request);
    const oldKid = (await signer.currentKey()).kid;

    nowMs += HOUR_MS;
    const newKid = await signer.rotate();
    expect(newKid).not.toBe(oldKid);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // a running process sees the rotation made by another (here: another signer on the same file)
    const other = new LocalKeyFileSigner({ path: file, graceMs: 24 * HOUR_MS, now });
    expect((await other.currentKey()).kid).toBe(newKid);
    const fresh = await issuer.issue({ ...request, execId: newExecId(nowMs) });
    expect(decodeProtectedHeader(fresh.token).kid).toBe(newKid);

    const jwks = await signer.publicJwks();
    expect(jwks.keys.map((k) => k.kid)).toEqual([newKid, oldKid]);
    // the old token still verifies during the grace period (its own expiry aside)
    await expect(
      jwtVerify(old.token, createLocalJWKSet(jwks), { currentDate: new Date(nowMs - HOUR_MS + 1000) }),
    ).resolves.toBeDefined();

    nowMs += 24 * HOUR_MS;
    expect((await signer.publicJwks()).keys.map((k) => k.kid)).toEqual([newKid]);
    await expect(
      jwtVerify(old.token, createLocalJWKSet(await signer.publicJwks()), { currentDate: new Date(nowMs) }),
    ).rejects.toThrow();
    // and the next rotation drops it from the file as well
    await signer.rotate();
    expect(readFileSync(file, 'utf8')).not.toContain(oldKid);
  });

  it('refuses a file that is not a key file, naming it', async () => {
    const signer = new LocalKeyFileSigner({ path: path.join(ROOT, 'package.json'), graceMs: HOUR_MS });
    await expect(signer.currentKey()).rejects.toThrow(/package\.json is not a ClouDO signing key file/);
  });
});
