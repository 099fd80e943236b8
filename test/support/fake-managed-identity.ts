import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { listenOnLoopback } from './fake-server.js';

/** The App Service / Container Apps token protocol version MSAL (and so @azure/identity 4.x) speaks. */
const API_VERSION = '2019-08-01';

export interface FakeManagedIdentity {
  /** `http://127.0.0.1:<port>/msi/token`: IDENTITY_ENDPOINT. */
  readonly endpoint: string;
  /** The secret the platform hands its apps: IDENTITY_HEADER. */
  readonly header: string;
  /** Both variables, to spread into a child process's environment. */
  readonly env: { readonly IDENTITY_ENDPOINT: string; readonly IDENTITY_HEADER: string };
  /** Every token asked for: for which resource, as which user-assigned identity (null: the system one). */
  readonly requests: { readonly resource: string; readonly clientId: string | null }[];
  close(): Promise<void>;
}

/**
 * The managed-identity endpoint App Service and Container Apps give their processes: `GET
 * IDENTITY_ENDPOINT?resource=…&api-version=2019-08-01[&client_id=…]` with header `X-IDENTITY-HEADER:
 * IDENTITY_HEADER`, answered `{ access_token, expires_on, resource, token_type, client_id }` (expires_on in
 * epoch seconds). Plain HTTP on loopback, as on the platforms. Every token is `accessToken`: the one the fake
 * service under test accepts.
 */
export async function startManagedIdentityEndpoint(accessToken: string): Promise<FakeManagedIdentity> {
  const header = randomBytes(16).toString('hex');
  const requests: { resource: string; clientId: string | null }[] = [];
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method !== 'GET' || u.pathname !== '/msi/token') return send(404, { error: 'not_found' });
    if (req.headers['x-identity-header'] !== header) {
      return send(401, { statusCode: 401, message: 'Unauthorized: X-IDENTITY-HEADER is missing or wrong' });
    }
    if (u.searchParams.get('api-version') !== API_VERSION) {
      return send(400, { error: 'invalid_request', error_description: `api-version must be ${API_VERSION}` });
    }
    const resource = u.searchParams.get('resource');
    if (!resource) return send(400, { error: 'invalid_request', error_description: 'resource is required' });
    const clientId = u.searchParams.get('client_id');
    requests.push({ resource, clientId });
    return send(200, {
      access_token: accessToken,
      expires_on: String(Math.floor(Date.now() / 1000) + 3600),
      resource,
      token_type: 'Bearer',
      client_id: clientId ?? '00000000-0000-0000-0000-0000000005a1',
    });
  });
  const { port, close } = await listenOnLoopback(server);
  const endpoint = `http://127.0.0.1:${port}/msi/token`;
  return { endpoint, header, env: { IDENTITY_ENDPOINT: endpoint, IDENTITY_HEADER: header }, requests, close };
}
