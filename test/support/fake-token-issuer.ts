import { createServer } from 'node:http';
import type { JWK } from 'jose';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { FederatedTokenRequest } from '../../src/core/federated-token.js';
import { checkWorkerSignature, WORKER_HEADER } from '../../src/core/worker-signature.js';
import { listenOnLoopback } from './fake-server.js';

/** The audience Entra accepts federated tokens for. */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

/** What the issuer answers for one run: its identity, or a status (204 no identity, 403, 500...). */
export type RunAnswer = { readonly clientId: string; readonly subject: string } | { readonly status: number };

export interface FakeTokenIssuerOptions {
  /** CLOUDO_WORKER_KEY. */
  readonly key: string;
  readonly tenantId: string;
  /** Entra's authority host the answers name (the fake Entra's https URL). */
  readonly authorityHost: string;
  /** Lifetime of each token, in seconds (default 600). */
  readonly ttlSeconds?: number;
  /** Default for runs `answers` does not name: 204. */
  readonly answerFor?: (execId: string) => RunAnswer | undefined;
}

export interface FakeTokenIssuer {
  /** CLOUDO_APP_URL. */
  readonly url: string;
  /** The `iss` of its tokens, whose `/.well-known/openid-configuration` and JWKS it serves. */
  readonly issuer: string;
  /** What to answer for a run, by execId. */
  readonly answers: Map<string, RunAnswer>;
  /** Every token minted, in order, with the run it was for. */
  readonly minted: { readonly execId: string; readonly token: string; readonly workerId: string }[];
  /** Every call refused, with why. */
  readonly refused: { readonly execId: string; readonly status: number; readonly reason: string }[];
  close(): Promise<void>;
}

/**
 * A stand-in for the Functions app's federated-token endpoint (issue 20): checks `x-cloudo-worker` with
 * the core module the app uses, and mints RS256 JWTs whose JWKS it publishes as an OIDC issuer does, so a
 * fake Entra can verify them. Until the app's endpoint exists, the worker client is tested against this.
 */
export async function startFakeTokenIssuer(options: FakeTokenIssuerOptions): Promise<FakeTokenIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = 'fake-issuer-key';
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' };
  const answers = new Map<string, RunAnswer>();
  const minted: FakeTokenIssuer['minted'][number][] = [];
  const refused: FakeTokenIssuer['refused'][number][] = [];
  let issuer = '';

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body?: unknown) => {
        res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      };
      const url = new URL(req.url ?? '/', issuer);
      if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
        return send(200, { issuer, jwks_uri: `${issuer}/jwks`, id_token_signing_alg_values_supported: ['RS256'] });
      }
      if (req.method === 'GET' && url.pathname === '/jwks') return send(200, { keys: [jwk] });
      const m = /^\/api\/runs\/([^/]+)\/federated-token$/.exec(url.pathname);
      if (req.method !== 'POST' || !m) return send(404, { error: 'not found' });
      const execId = decodeURIComponent(m[1] ?? '');
      const refuse = (status: number, reason: string) => {
        refused.push({ execId, status, reason });
        send(status, { error: reason });
      };
      let body: FederatedTokenRequest;
      try {
        body = FederatedTokenRequest.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        return refuse(400, 'the body must be { "workerId": "..." }');
      }
      const call = { method: req.method, path: url.pathname, workerId: body.workerId };
      const check = checkWorkerSignature(options.key, call, req.headers[WORKER_HEADER] as string | undefined);
      if (!check.ok) return refuse(401, `x-cloudo-worker refused: ${check.reason}`);
      const answer = answers.get(execId) ?? options.answerFor?.(execId) ?? { status: 204 };
      if ('status' in answer) {
        if (answer.status === 204) return send(204);
        return refuse(answer.status, `fake refusal ${answer.status} of run ${execId}`);
      }
      const ttl = options.ttlSeconds ?? 600;
      const now = Math.floor(Date.now() / 1000);
      void new SignJWT({ cloudo_exec_id: execId })
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setSubject(answer.subject)
        .setAudience(TOKEN_EXCHANGE_AUDIENCE)
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + ttl)
        .setJti(`${execId}-${minted.length}`)
        .sign(privateKey)
        .then((token) => {
          minted.push({ execId, token, workerId: body.workerId });
          send(200, {
            token,
            expiresOn: new Date((now + ttl) * 1000).toISOString(),
            clientId: answer.clientId,
            tenantId: options.tenantId,
            authorityHost: options.authorityHost,
          });
        });
    });
  });
  const { port, close } = await listenOnLoopback(server);
  issuer = `http://127.0.0.1:${port}`;
  return { url: issuer, issuer, answers, minted, refused, close };
}
