/**
 * Time to issue a run's OIDC token (claims, signing input, RS256 signature), local key file vs a Key Vault
 * key reached over loopback HTTPS (test/support/fake-key-vault.ts: the SDK's real pipeline, challenge and
 * TLS, but no network: a real vault adds its round trip, tens of ms from an Azure region).
 *
 *   npx tsx bench/oidc-issue.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newExecId } from '../src/core/execution.js';
import type { Signer } from '../src/signing/index.js';
import { KeyVaultSigner, LocalKeyFileSigner, OidcIssuer } from '../src/signing/index.js';
import { fakeVaultCredential, startFakeKeyVault } from '../test/support/fake-key-vault.js';
import { figure, isQuick, median } from './report.js';

const ISSUES = isQuick() ? 50 : 200;
const GRACE_MS = 86_400_000;

async function medianIssueMs(signer: Signer): Promise<number> {
  const issuer = new OidcIssuer({ issuer: 'https://cloudo.example.com/api', signer });
  const issue = () => issuer.issue({ subject: 'schema:bench', execId: newExecId(), team: 'ops', trigger: 'http' });
  // the first issue creates the key file or reads the key set: a cost paid once per process, not per token
  await issue();
  const times: number[] = [];
  for (let i = 0; i < ISSUES; i++) {
    const start = performance.now();
    await issue();
    times.push(performance.now() - start);
  }
  return median(times);
}

const dir = mkdtempSync(path.join(tmpdir(), 'cloudo-bench-oidc-'));
const vault = await startFakeKeyVault();
try {
  const local = await medianIssueMs(new LocalKeyFileSigner({ path: path.join(dir, 'keys.json'), graceMs: GRACE_MS }));
  vault.rotate('bench', Date.now());
  const keyVault = await medianIssueMs(
    new KeyVaultSigner({
      vaultUrl: vault.url,
      keyName: 'bench',
      credential: fakeVaultCredential,
      graceMs: GRACE_MS,
      clientOptions: { tlsOptions: { ca: vault.ca }, disableChallengeResourceVerification: true },
    }),
  );
  for (const f of [
    figure({
      id: 'oidc.issue.local.p50',
      label: `run token issue, local key file (median of ${ISSUES})`,
      value: local,
      unit: 'ms',
    }),
    figure({
      id: 'oidc.issue.key-vault.p50',
      label: `run token issue, Key Vault on loopback (median of ${ISSUES})`,
      value: keyVault,
      unit: 'ms',
      baseline: { label: 'local key file', value: local },
    }),
  ]) {
    console.log(`${f.label}: ${f.value.toFixed(2)} ${f.unit}${f.ratio ? ` (${f.ratio.toFixed(1)} ×)` : ''}`);
  }
} finally {
  await vault.close();
  rmSync(dir, { recursive: true, force: true });
}
