import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:https';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { listenOnLoopback } from './fake-server.js';
import { loopbackCertificate } from './loopback-certificate.js';

/** The audience Entra accepts federated tokens for (stated here as Entra documents it, not taken from ClouDO). */
const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A federated identity credential of an app registration: Entra trusts (issuer, subject) for it. */
export interface FederatedCredential {
  readonly clientId: string;
  readonly issuer: string;
  readonly subject: string;
}

export interface FakeEntraTokenEndpoint {
  readonly tenantId: string;
  /** `https://127.0.0.1:<port>/`: AZURE_AUTHORITY_HOST. */
  readonly authorityHost: string;
  /** PEM of its self-signed certificate: trust it with SSL_CERT_FILE / REQUESTS_CA_BUNDLE. */
  readonly caFile: string;
  readonly credentials: FederatedCredential[];
  /** Access tokens handed out, and for which client. */
  readonly issued: { readonly clientId: string; readonly accessToken: string; readonly scope: string }[];
  /** Every request path, in order: what MSAL asked for. */
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * Entra's token endpoint as workload-identity federation uses it, on loopback over TLS (azure-identity
 * refuses an http authority): `POST /{tenant}/oauth2/v2.0/token` with a client assertion, checked as Entra
 * does (signature against the issuer's JWKS, iss, aud api://AzureADTokenExchange, exp) and answered only
 * when (issuer, subject) is a federated credential of that client id; errors in Entra's AADSTS shape.
 * Also the discovery documents MSAL reads first.
 */
export async function startFakeEntraTokenEndpoint(tenantId: string): Promise<FakeEntraTokenEndpoint> {
  const { dir: certDir, keyFile, certFile: caFile } = loopbackCertificate('cloudo-fake-entra-tls-');
  const credentials: FederatedCredential[] = [];
  const issued: FakeEntraTokenEndpoint['issued'][number][] = [];
  const requests: string[] = [];
  let base = '';
  const jwksByIssuer = new Map<string, Promise<ReturnType<typeof createRemoteJWKSet>>>();
  const jwksOf = (issuer: string) => {
    let jwks = jwksByIssuer.get(issuer);
    // as Entra does: the issuer's discovery document says where its keys are
    if (!jwks) {
      jwks = fetch(`${issuer}/.well-known/openid-configuration`)
        .then((res) => res.json() as Promise<{ jwks_uri: string }>)
        .then((doc) => createRemoteJWKSet(new URL(doc.jwks_uri)));
      // a failed look is not remembered: the next assertion looks again
      jwks.catch(() => jwksByIssuer.delete(issuer));
      jwksByIssuer.set(issuer, jwks);
    }
    return jwks;
  };

  const server = createServer({ key: await readFile(keyFile), cert: await readFile(caFile) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      requests.push(`${req.method} ${url.pathname}`);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const aadError = (status: number, code: string, description: string) =>
        send(status, {
          error: code,
          error_description: `${description}\r\nTrace ID: ${randomBytes(8).toString('hex')}`,
          error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)],
        });
      const authority = `${base}${tenantId}`;
      if (req.method === 'GET' && url.pathname === `/${tenantId}/v2.0/.well-known/openid-configuration`) {
        return send(200, {
          issuer: `${authority}/v2.0`,
          token_endpoint: `${authority}/oauth2/v2.0/token`,
          authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
          device_authorization_endpoint: `${authority}/oauth2/v2.0/devicecode`,
          jwks_uri: `${authority}/discovery/v2.0/keys`,
        });
      }
      if (req.method === 'GET' && url.pathname === '/common/discovery/instance') {
        const host = url.host;
        return send(200, {
          tenant_discovery_endpoint: `${authority}/v2.0/.well-known/openid-configuration`,
          'api-version': '1.1',
          metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
        });
      }
      if (req.method !== 'POST' || url.pathname !== `/${tenantId}/oauth2/v2.0/token`) {
        return aadError(404, 'invalid_request', `AADSTS90002: no such endpoint ${url.pathname}`);
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const clientId = form.get('client_id') ?? '';
      const assertion = form.get('client_assertion') ?? '';
      if (form.get('grant_type') !== 'client_credentials') {
        return aadError(400, 'unsupported_grant_type', 'AADSTS70003: grant_type must be client_credentials');
      }
      if (form.get('client_assertion_type') !== ASSERTION_TYPE || !assertion) {
        return aadError(400, 'invalid_request', 'AADSTS900144: client_assertion is missing');
      }
      void verifyAssertion(assertion, clientId, jwksOf, credentials).then((problem) => {
        if (problem) return aadError(problem.status, problem.code, problem.description);
        const accessToken = `fake-entra-at.${clientId}.${randomBytes(12).toString('base64url')}`;
        issued.push({ clientId, accessToken, scope: form.get('scope') ?? '' });
        send(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken });
      });
    });
  });
  const { port, close } = await listenOnLoopback(server);
  base = `https://127.0.0.1:${port}/`;
  return {
    tenantId,
    authorityHost: base,
    caFile,
    credentials,
    issued,
    requests,
    async close() {
      await close();
      await rm(certDir, { recursive: true, force: true });
    },
  };
}

/** Why Entra would refuse `assertion` for `clientId`, or null. */
async function verifyAssertion(
  assertion: string,
  clientId: string,
  jwksOf: (issuer: string) => Promise<ReturnType<typeof createRemoteJWKSet>>,
  credentials: readonly FederatedCredential[],
): Promise<{ status: number; code: string; description: string } | null> {
  const trusted = credentials.filter((c) => c.clientId === clientId);
  if (trusted.length === 0) {
    return { status: 400, code: 'unauthorized_client', description: `AADSTS700016: Application ${clientId} not found` };
  }
  for (const credential of trusted) {
    try {
      const { payload } = await jwtVerify(assertion, await jwksOf(credential.issuer), {
        issuer: credential.issuer,
        audience: TOKEN_EXCHANGE_AUDIENCE,
        algorithms: ['RS256'],
      });
      if (payload.sub === credential.subject) return null;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (/exp/.test(message)) {
        return {
          status: 400,
          code: 'invalid_client',
          description: `AADSTS700024: Client assertion is not within its valid time range. ${message}`,
        };
      }
    }
  }
  return {
    status: 400,
    code: 'invalid_request',
    description: `AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: '?'. Assertion Subject: '?'. Assertion Audience: '${TOKEN_EXCHANGE_AUDIENCE}'.`,
  };
}
