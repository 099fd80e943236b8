export type { AuthenticatorOptions, AuthResult, RouteAccess, WebhookTokenVerifier } from './authenticator.js';
export { Authenticator } from './authenticator.js';
export type { EntraTokenVerifier, EntraTokenVerifierOptions, TokenVerdict } from './entra-token.js';
export { createEntraTokenVerifier } from './entra-token.js';
