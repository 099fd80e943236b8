import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Execution } from '../../src/core/execution.js';
import { isTerminal } from '../../src/core/execution.js';
import { workerSignature } from '../../src/core/worker-signature.js';
import type { LocalStack } from '../../src/local/stack.js';
import { LocalKeyFileSigner, OidcIssuer } from '../../src/signing/index.js';
import { createStorage } from '../../src/storage/index.js';
import type { FakeEntraTokenEndpoint } from '../support/fake-entra-token-endpoint.js';
import { startFakeEntraTokenEndpoint } from '../support/fake-entra-token-endpoint.js';
import { startStackIn } from '../support/local-stack.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const PAYMENTS_CLIENT = 'aaaaaaaa-1111-4222-8333-444444444444';
const DEFAULT_CLIENT = 'dddddddd-1111-4222-8333-444444444444';
const WORKER_KEY = 'e2e-worker-key-0123456789abcdefghijklmnop';

/** Python's azure-identity is Debian's python3-azure (.ci/run installs it). */
const PYTHON_AZURE_MISSING =
  spawnSync('/usr/bin/python3', ['-c', 'import azure.identity'], { stdio: 'ignore' }).status !== 0;

/**
 * Issue 20 end to end on the local stack: the real app mints each run's token (its own key, its own JWKS),
 * the real worker fetches it and hands the runbook the workload-identity variables, and a fake Entra
 * (TLS, loopback) exchanges it only for the identity whose federated credential trusts the run's subject.
 */
describe('runbooks acting as their own Azure identity, on the local stack', () => {
  let dir: string;
  let stack: LocalStack;
  let entra: FakeEntraTokenEndpoint;
  let issuer: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-run-identity-e2e-'));
    const runbooks = path.join(dir, 'runbooks');
    await mkdir(runbooks);
    await writeFile(path.join(runbooks, 'exchange.sh'), EXCHANGE_SH, { mode: 0o755 });
    await writeFile(path.join(runbooks, 'sdk.sh'), SDK_SH, { mode: 0o755 });
    entra = await startFakeEntraTokenEndpoint(TENANT);
    const port = await freePort();
    issuer = `http://localhost:${port}/api`;
    entra.credentials.push(
      // one federated credential per schema that names the identity, as Terraform makes them
      { clientId: PAYMENTS_CLIENT, issuer, subject: 'cloudo:schema:test:payments-fix' },
      { clientId: PAYMENTS_CLIENT, issuer, subject: 'cloudo:schema:test:sdk' },
      { clientId: DEFAULT_CLIENT, issuer, subject: 'cloudo:runbook-identity:default' },
    );
    const entity = (id: string, runbook: string, extra: object = {}) => ({
      id,
      name: id,
      runbook,
      run_args: '',
      worker: 'Runbook',
      oncall: false,
      ...extra,
    });
    stack = await startStackIn(
      dir,
      [
        entity('payments-fix', 'exchange.sh', { identity: 'payments', run_args: PAYMENTS_CLIENT }),
        entity('plain', 'exchange.sh', { run_args: PAYMENTS_CLIENT }),
        entity('plain-default', 'exchange.sh', { run_args: DEFAULT_CLIENT }),
        entity('ghost', 'exchange.sh', { identity: 'nobody' }),
        entity('sdk', 'sdk.sh', { identity: 'payments' }),
      ],
      {
        port,
        runbooksDir: runbooks,
        env: {
          ...process.env,
          CLOUDO_WORKER_KEY: WORKER_KEY,
          CLOUDO_RUNBOOK_IDENTITIES: JSON.stringify({ payments: PAYMENTS_CLIENT }),
          CLOUDO_RUNBOOK_CLIENT_ID: DEFAULT_CLIENT,
          AZURE_TENANT_ID: TENANT,
          AZURE_AUTHORITY_HOST: entra.authorityHost,
          // the runbooks trust the fake Entra's self-signed certificate
          SSL_CERT_FILE: entra.caFile,
          REQUESTS_CA_BUNDLE: entra.caFile,
          CLOUDO_RUNBOOK_ENV_PASSTHROUGH: 'SSL_CERT_FILE,REQUESTS_CA_BUNDLE',
        },
      },
    );
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    await entra?.close();
  });

  async function trigger(id: string): Promise<{ execution: Execution; log: string }> {
    const res = await fetch(`${stack.url}/api/Trigger?id=${id}`);
    expect(res.status, await res.clone().text()).toBe(202);
    const { exec_id: execId } = (await res.json()) as { exec_id: string };
    const storage = createStorage({
      connection: { kind: 'connection-string', connectionString: stack.azurite.connectionString },
      namespace: '',
    });
    const execution = await waitFor(
      `run ${id} to finish`,
      async () => {
        const e = (await storage.executions.get(execId))?.execution;
        return e && isTerminal(e.status) ? e : undefined;
      },
      30_000,
    );
    return { execution, log: (await storage.logs.read(execId))?.toString('utf8') ?? '' };
  }

  it('exchanges a schema’s token for its own identity', async () => {
    const { execution, log } = await trigger('payments-fix');
    expect(execution.status, log).toBe('succeeded');
    expect(log).toContain(`client=${PAYMENTS_CLIENT}`);
    expect(log).toMatch(/^exchange=ok$/m);
    expect(entra.issued.map((i) => i.clientId)).toContain(PAYMENTS_CLIENT);
  });

  it('refuses a run of another schema the same identity: its subject is not trusted there', async () => {
    const { execution, log } = await trigger('plain');
    // the schema names no identity: it gets the default one, and asking Entra for payments' is refused
    expect(log).toContain(`client=${DEFAULT_CLIENT}`);
    expect(log).toMatch(/^exchange=refused AADSTS70021/m);
    expect(execution.status).toBe('failed');
  });

  it('gives a schema that names no identity the shared default identity', async () => {
    const { execution, log } = await trigger('plain-default');
    expect(execution.status, log).toBe('succeeded');
    expect(log).toMatch(/^exchange=ok$/m);
  });

  it('ends a run whose schema names an identity the deployment lacks in error, before it starts', async () => {
    const { execution, log } = await trigger('ghost');
    expect(execution.status).toBe('error');
    expect(execution.error).toMatch(/identity "nobody".*CLOUDO_RUNBOOK_IDENTITIES has: payments/);
    expect(log).not.toMatch(/^client=/m);
  });

  it.skipIf(PYTHON_AZURE_MISSING)('lets Python’s DefaultAzureCredential use it unchanged', async () => {
    const { execution, log } = await trigger('sdk');
    expect(execution.status, log).toBe('succeeded');
    const issued = entra.issued.filter((i) => i.clientId === PAYMENTS_CLIENT).map((i) => i.accessToken);
    expect(issued).toContain(/^access=(.*)$/m.exec(log)?.[1]);
  });

  it('mints only for a signed call from the worker that holds the run', async () => {
    const { execution } = await trigger('plain-default');
    const url = `${stack.url}/api/runs/${execution.execId}/federated-token`;
    const path = new URL(url).pathname;
    const call = (workerId: string, header: string | null) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(header ? { 'x-cloudo-worker': header } : {}) },
        body: JSON.stringify({ workerId }),
      });
    const workerId = execution.workerId ?? '';
    const unsigned = await call(workerId, null);
    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as { error: string }).error).toMatch(/x-cloudo-worker refused \(missing\)/);
    const wrongKey = workerSignature('not-the-key-0123456789abcdefghijklmn', { method: 'POST', path, workerId });
    expect((await call(workerId, wrongKey)).status).toBe(401);
    // signed right, but the run is over: no token outlives its run
    const signed = workerSignature(WORKER_KEY, { method: 'POST', path, workerId });
    const over = await call(workerId, signed);
    expect(over.status).toBe(403);
    expect(((await over.json()) as { error: string }).error).toMatch(/is succeeded, not running/);
    const unknownPath = `/api/runs/0193d1c4-0000-7000-8000-000000000000/federated-token`;
    const unknown = await fetch(`${stack.url}${unknownPath}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-cloudo-worker': workerSignature(WORKER_KEY, { method: 'POST', path: unknownPath, workerId }),
      },
      body: JSON.stringify({ workerId }),
    });
    expect(unknown.status).toBe(404);
  });

  it('is refused by Entra once expired, or when signed by a key the issuer does not publish', async () => {
    const subject = 'cloudo:schema:test:payments-fix';
    const request = { subject, execId: '0193d1c4-0000-7000-8000-000000000001', team: null, trigger: 'http' as const };
    // the stack's own key, eleven minutes ago: a token from a run that ended
    const stackKey = new LocalKeyFileSigner({ path: path.join(dir, 'oidc-signing-keys.json'), graceMs: 3_600_000 });
    const past = new OidcIssuer({ issuer, signer: stackKey, now: () => Date.now() - 11 * 60_000 });
    const expired = await exchange(entra, PAYMENTS_CLIENT, (await past.issue(request)).token);
    expect(expired).toMatch(/^AADSTS700024/);
    const stranger = new LocalKeyFileSigner({ path: path.join(dir, 'another-key.json'), graceMs: 3_600_000 });
    const forged = await exchange(
      entra,
      PAYMENTS_CLIENT,
      (await new OidcIssuer({ issuer, signer: stranger }).issue(request)).token,
    );
    expect(forged).toMatch(/^AADSTS70021/);
    // the same request signed now by the stack's key is what Entra accepts
    const fresh = await exchange(
      entra,
      PAYMENTS_CLIENT,
      (await new OidcIssuer({ issuer, signer: stackKey }).issue(request)).token,
    );
    expect(fresh).toBe('ok');
  });

  it('publishes the issuer the tokens name', async () => {
    const res = await fetch(`${stack.url}/api/.well-known/openid-configuration`);
    expect(((await res.json()) as { issuer: string }).issuer).toBe(issuer);
  });
});

/** Asks the fake Entra for an access token of `clientId` with `assertion`: 'ok', or its error description. */
function exchange(entra: FakeEntraTokenEndpoint, clientId: string, assertion: string): Promise<string> {
  const body = new URLSearchParams({
    client_id: clientId,
    grant_type: 'client_credentials',
    scope: 'https://management.azure.com/.default',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
  }).toString();
  const url = new URL(`${TENANT}/oauth2/v2.0/token`, entra.authorityHost);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: 'POST',
        ca: readFileSync(entra.caFile),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error_description?: string };
          resolve(res.statusCode === 200 ? 'ok' : (json.error_description ?? `HTTP ${res.statusCode}`));
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Exchanges the run's token with Entra for the client id given as $1 (the run's own, or another's), by
 * hand as any SDK does: a client-credentials grant with the token as client assertion.
 */
const EXCHANGE_SH = `#!/usr/bin/env bash
want="\${1:-$AZURE_CLIENT_ID}"
echo "client=$AZURE_CLIENT_ID"
answer=$(/usr/bin/python3 - "$want" <<'EOF'
import json, os, ssl, sys, urllib.parse, urllib.request
body = urllib.parse.urlencode({
    "client_id": sys.argv[1],
    "grant_type": "client_credentials",
    "scope": "https://management.azure.com/.default",
    "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    "client_assertion": open(os.environ["AZURE_FEDERATED_TOKEN_FILE"]).read(),
}).encode()
url = os.environ["AZURE_AUTHORITY_HOST"].rstrip("/") + "/" + os.environ["AZURE_TENANT_ID"] + "/oauth2/v2.0/token"
ctx = ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
try:
    urllib.request.urlopen(urllib.request.Request(url, data=body), context=ctx)
    print("ok")
except urllib.error.HTTPError as e:
    print("refused " + json.loads(e.read())["error_description"])
EOF
)
echo "exchange=$answer"
[[ "$answer" == ok ]]
`;

const SDK_SH = `#!/usr/bin/env bash
exec /usr/bin/python3 - <<"EOF"
from azure.identity import DefaultAzureCredential
print("access=" + DefaultAzureCredential().get_token("https://management.azure.com/.default").token)
EOF
`;
