import { describe, expect, it } from 'vitest';
import { loadAppSettings } from '../../../src/core/settings.js';

const BASE = {
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  CLOUDO_ENV: 'development',
  CLOUDO_LOCAL_AUTH: 'off',
};

describe('OIDC settings', () => {
  it('default to the local stack: issuer CLOUDO_PUBLIC_URL + /api, a key file under .cloudo/, a day of grace', () => {
    expect(loadAppSettings(BASE).oidc).toEqual({
      issuer: 'http://localhost:7071/api',
      issuerProblem: null,
      key: { kind: 'file', path: '.cloudo/oidc-signing-keys.json' },
      graceMs: 86_400_000,
    });
  });

  it('derive the issuer from an https public URL, and take an explicit one without its trailing slash', () => {
    expect(loadAppSettings({ ...BASE, CLOUDO_PUBLIC_URL: 'https://cloudo.example.com/' }).oidc.issuer).toBe(
      'https://cloudo.example.com/api',
    );
    expect(loadAppSettings({ ...BASE, CLOUDO_OIDC_ISSUER: 'https://id.example.com/api/' }).oidc.issuer).toBe(
      'https://id.example.com/api',
    );
  });

  it('leave the issuer off, saying why, when the public URL is plain http off loopback', () => {
    const { oidc } = loadAppSettings({ ...BASE, CLOUDO_PUBLIC_URL: 'http://cloudo.internal' });
    expect(oidc.issuer).toBeNull();
    expect(oidc.issuerProblem).toMatch(/http:\/\/cloudo\.internal\/api.*must be https.*set CLOUDO_OIDC_ISSUER/);
  });

  it('refuse an explicit issuer that Entra would refuse, naming the variable', () => {
    for (const value of ['http://cloudo.example.com/api', 'https://cloudo.example.com/api?x=1']) {
      expect(() => loadAppSettings({ ...BASE, CLOUDO_OIDC_ISSUER: value }), value).toThrow(
        /CLOUDO_OIDC_ISSUER must be/,
      );
    }
  });

  it('sign with a versionless Key Vault key when one is named', () => {
    const { oidc } = loadAppSettings({
      ...BASE,
      CLOUDO_OIDC_KEY_ID: 'https://kv-cloudo.vault.azure.net/keys/run-tokens',
      CLOUDO_OIDC_KEY_GRACE_MS: '7200000',
    });
    expect(oidc.key).toEqual({
      kind: 'key-vault',
      vaultUrl: 'https://kv-cloudo.vault.azure.net',
      keyName: 'run-tokens',
    });
    expect(oidc.graceMs).toBe(7_200_000);
    expect(() =>
      loadAppSettings({ ...BASE, CLOUDO_OIDC_KEY_ID: 'https://kv-cloudo.vault.azure.net/keys/run-tokens/0123abcd' }),
    ).toThrow(/CLOUDO_OIDC_KEY_ID must be a versionless key id/);
    expect(() => loadAppSettings({ ...BASE, CLOUDO_OIDC_KEY_GRACE_MS: '60000' })).toThrow(
      /CLOUDO_OIDC_KEY_GRACE_MS must be at least 3600000/,
    );
  });
});
