import { z } from 'zod';

/**
 * The call a worker makes after claiming a run and before spawning it (issue 20): the Functions app, an
 * OIDC issuer, mints a short-lived token for that run's own Azure identity, which the runbook exchanges
 * with Entra (workload-identity federation). Signed with `x-cloudo-worker` (worker-signature.ts).
 *
 * Answers: 200 FederatedTokenAnswer; 204 the deployment gives this run no Azure identity; 401 bad
 * signature; 403 the run is not running, or another worker claimed it; 404 no such run. Errors carry
 * `{ "error": "..." }`.
 */
export const FEDERATED_TOKEN_METHOD = 'POST';

/** `/api/runs/<execId>/federated-token` */
export function federatedTokenPath(execId: string): string {
  return `/api/runs/${encodeURIComponent(execId)}/federated-token`;
}

/** The request body. */
export const FederatedTokenRequest = z.object({
  /** The calling worker's id, as in Table Workers and `Run.workerId`; signed in the header too. */
  workerId: z.string().min(1).max(256),
});
export type FederatedTokenRequest = z.infer<typeof FederatedTokenRequest>;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The 200 answer: what the runbook gets as the AKS workload-identity variables. */
export const FederatedTokenAnswer = z.object({
  /** A JWT, audience `api://AzureADTokenExchange`, lifetime at most 15 minutes (AZURE_FEDERATED_TOKEN_FILE's content). */
  token: z.string().regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'token is not a JWT'),
  /** When `token` expires (ISO 8601); the worker fetches a new one at two thirds of its life. */
  expiresOn: z.iso.datetime({ offset: true }),
  /** The run's own identity: the application (client) id that trusts this issuer (AZURE_CLIENT_ID). */
  clientId: z.string().regex(GUID, 'clientId is not a GUID'),
  /** Its tenant (AZURE_TENANT_ID). */
  tenantId: z.string().regex(GUID, 'tenantId is not a GUID'),
  /** Entra's authority host, e.g. `https://login.microsoftonline.com/` (AZURE_AUTHORITY_HOST). */
  authorityHost: z.url({ protocol: /^https?$/, message: 'authorityHost is not a URL' }),
});
export type FederatedTokenAnswer = z.infer<typeof FederatedTokenAnswer>;
