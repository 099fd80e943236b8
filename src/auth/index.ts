export type { AuthenticatorOptions, AuthResult, RouteAccess, WebhookTokenVerifier } from './authenticator.js';
export { Authenticator } from './authenticator.js';
