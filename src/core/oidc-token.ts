import { z } from 'zod';
import { ExecId, TriggerSource } from './execution.js';

/** The audience Entra's workload-identity federation expects in every token it exchanges. */
export const RUN_TOKEN_AUDIENCE = 'api://AzureADTokenExchange';
/** Default life of a run's token: long enough to exchange it, short enough to be useless once leaked. */
export const DEFAULT_RUN_TOKEN_TTL_SECONDS = 600;
/** Longest life a run's token may ask for (the bound; Entra exchanges it within seconds). */
export const MAX_RUN_TOKEN_TTL_SECONDS = 900;
const MIN_RUN_TOKEN_TTL_SECONDS = 60;
/** Clock skew a verifier may have: `nbf` is set this far before `iat` so a slightly slow clock still accepts. */
const NOT_BEFORE_SKEW_SECONDS = 30;

/**
 * What the token endpoint asks the issuer for. `subject` is the federated credential's subject Entra
 * matches exactly (Entra allows 600 characters); the caller composes it, e.g. `schema:<id>`.
 */
export const RunTokenRequest = z.object({
  subject: z
    .string()
    .min(1)
    .max(600)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
  execId: ExecId,
  /** The run's team; null when the run has none. */
  team: z.string().max(64).nullable(),
  /** What started the run (`trigger.source` of the Execution). */
  trigger: TriggerSource,
  /** Life of the token in seconds (default 600, at most 900). */
  ttlSeconds: z
    .number()
    .int()
    .min(MIN_RUN_TOKEN_TTL_SECONDS)
    .max(MAX_RUN_TOKEN_TTL_SECONDS)
    .default(DEFAULT_RUN_TOKEN_TTL_SECONDS),
});
export type RunTokenRequest = z.input<typeof RunTokenRequest>;

/** The claims of a run's token, as signed. Times are whole seconds since the epoch (RFC 7519). */
export const RunTokenClaims = z.object({
  iss: z.url(),
  sub: z.string(),
  aud: z.literal(RUN_TOKEN_AUDIENCE),
  iat: z.number().int(),
  nbf: z.number().int(),
  exp: z.number().int(),
  /** Unique per token, so a log line can name a token without quoting it. */
  jti: z.string(),
  exec_id: ExecId,
  team: z.string().nullable(),
  trigger: TriggerSource,
});
export type RunTokenClaims = z.infer<typeof RunTokenClaims>;

/** The JOSE header of every token ClouDO signs: RS256, and the key that verifies it. */
export const RunTokenHeader = z.object({ alg: z.literal('RS256'), typ: z.literal('JWT'), kid: z.string().min(1) });
export type RunTokenHeader = z.infer<typeof RunTokenHeader>;

/** The claims of a token issued at `nowMs` for `request`; throws a ZodError naming a wrong field. */
export function runTokenClaims(issuer: string, request: RunTokenRequest, nowMs: number, jti: string): RunTokenClaims {
  const r = RunTokenRequest.parse(request);
  const iat = Math.floor(nowMs / 1000);
  return RunTokenClaims.parse({
    iss: issuer,
    sub: r.subject,
    aud: RUN_TOKEN_AUDIENCE,
    iat,
    nbf: iat - NOT_BEFORE_SKEW_SECONDS,
    exp: iat + r.ttlSeconds,
    jti,
    exec_id: r.execId,
    team: r.team,
    trigger: r.trigger,
  });
}

/**
 * `base64url(header).base64url(claims)`: the bytes RS256 signs. Built here, not by a JWT library, because
 * Key Vault signs a SHA-256 digest remotely and so never sees a library's signing step.
 */
export function jwtSigningInput(header: RunTokenHeader, claims: RunTokenClaims): string {
  return `${base64url(JSON.stringify(RunTokenHeader.parse(header)))}.${base64url(JSON.stringify(claims))}`;
}

/** The compact JWT: the signing input and its signature. */
export function compactJwt(signingInput: string, signature: Uint8Array): string {
  return `${signingInput}.${Buffer.from(signature).toString('base64url')}`;
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
