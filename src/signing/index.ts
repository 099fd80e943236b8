export type { SignerDependencies } from './create-issuer.js';
export { createOidcIssuer, createSigner } from './create-issuer.js';
export type { KeyVaultCredential, KeyVaultSignerOptions } from './key-vault-signer.js';
export { KeyVaultSigner } from './key-vault-signer.js';
export type { LocalKeyFileSignerOptions } from './local-key-file.js';
export { LocalKeyFileSigner } from './local-key-file.js';
export type { IssuedToken, OidcIssuerOptions } from './oidc-issuer.js';
export { OidcIssuer } from './oidc-issuer.js';
export type { Signer, SigningKey } from './signer.js';
