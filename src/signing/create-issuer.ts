import type { OidcSettings } from '../core/oidc-settings.js';
import type { KeyVaultCredential } from './key-vault-signer.js';
import { KeyVaultSigner } from './key-vault-signer.js';
import { LocalKeyFileSigner } from './local-key-file.js';
import { OidcIssuer } from './oidc-issuer.js';
import type { Signer } from './signer.js';

export interface SignerDependencies {
  /** Key Vault calls are made as this (the app's identity); asked for a token only with a Key Vault key. */
  readonly credential: KeyVaultCredential;
  /** Told when a Key Vault refresh failed and the last key set is served. */
  readonly onError?: (message: string, err: unknown) => void;
}

/** The signer the settings name: the Key Vault key, or the key file. Nothing is read until first use. */
export function createSigner(settings: OidcSettings, deps: SignerDependencies): Signer {
  const { key, graceMs } = settings;
  return key.kind === 'key-vault'
    ? new KeyVaultSigner({
        vaultUrl: key.vaultUrl,
        keyName: key.keyName,
        credential: deps.credential,
        graceMs,
        ...(deps.onError ? { onError: deps.onError } : {}),
      })
    : new LocalKeyFileSigner({ path: key.path, graceMs });
}

/** The issuer the settings describe; null when no issuer URL could be derived (`settings.issuerProblem` says why). */
export function createOidcIssuer(settings: OidcSettings, deps: SignerDependencies): OidcIssuer | null {
  return settings.issuer === null
    ? null
    : new OidcIssuer({ issuer: settings.issuer, signer: createSigner(settings, deps) });
}
