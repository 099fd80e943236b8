import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Execution } from '../../../src/core/execution.js';
import { isTerminal } from '../../../src/core/execution.js';
import { planRun } from '../../../src/core/run-plan.js';
import { RunDispatcher } from '../../../src/runs/index.js';
import type { QueueWorker } from '../../../workers/queue-worker.js';
import type { FakeCli } from '../../support/fake-cli.js';
import { federatedLoginArgs, installFakeCli, WORKER_MANAGED_IDENTITY_ENV } from '../../support/fake-cli.js';
import type { FakeEntraTokenEndpoint } from '../../support/fake-entra-token-endpoint.js';
import { startFakeEntraTokenEndpoint } from '../../support/fake-entra-token-endpoint.js';
import type { RunTokenApp } from '../../support/run-token-app.js';
import { startRunTokenApp } from '../../support/run-token-app.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { waitFor } from '../../support/wait.js';
import { makeRunbooks, startTestWorker } from '../../support/worker.js';

const KEY = 'worker-key-for-tests-0123456789abcdefghijkl';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT_A = 'aaaaaaaa-1111-4222-8333-444444444444';
const CLIENT_B = 'bbbbbbbb-1111-4222-8333-444444444444';
const WORKER_CLIENT = '99999999-1111-4222-8333-444444444444';
/** The life the workers are told a long run's tokens have (RunTokenApp.announcedLife). */
const TTL_SECONDS = 3;
/** The deployment's runbook identities (CLOUDO_RUNBOOK_IDENTITIES); no default identity. */
const IDENTITIES = { 'ident-a': CLIENT_A, 'ident-b': CLIENT_B };
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** Python's azure-identity is Debian's python3-azure (apt-get install python3-azure python3-msal). */
const PYTHON_AZURE_MISSING =
  spawnSync('/usr/bin/python3', ['-c', 'import azure.identity'], { stdio: 'ignore' }).status !== 0;

/**
 * Issue 20: a run acts as its own Azure identity, from a federated token the worker fetches from the app
 * (the real Functions app over HTTP, its own signing key and JWKS) and Entra exchanges (here a fake token
 * endpoint that verifies the token against the app's JWKS). Real worker, real processes.
 */
describe('a run’s own Azure identity', () => {
  let t: TestStorage;
  let worker: QueueWorker;
  let app: RunTokenApp;
  let entra: FakeEntraTokenEndpoint;
  let cli: FakeCli;

  beforeAll(async () => {
    t = await createTestStorage();
    entra = await startFakeEntraTokenEndpoint(TENANT);
    // no CLOUDO_RUNBOOK_CLIENT_ID: a schema that names no identity gets none (the app answers 204)
    app = await startRunTokenApp(t, {
      workerKey: KEY,
      env: {
        CLOUDO_RUNBOOK_IDENTITIES: JSON.stringify(IDENTITIES),
        AZURE_TENANT_ID: TENANT,
        AZURE_AUTHORITY_HOST: entra.authorityHost,
      },
    });
    // one federated credential per schema naming the identity, as Terraform makes them
    entra.credentials.push(
      ...['env', 'long', 'python-sdk'].map((id) => ({
        clientId: CLIENT_A,
        issuer: app.issuer,
        subject: `cloudo:schema:generic:${id}`,
      })),
      { clientId: CLIENT_B, issuer: app.issuer, subject: 'cloudo:schema:generic:other' },
    );
    cli = await installFakeCli();
    const dir = await makeRunbooks({
      'env.sh': [
        'echo "worker_identity=[$(env | grep -E "^(IDENTITY_|MSI_)" | cut -d= -f1 | tr "\\n" " ")]"',
        'echo "client=$AZURE_CLIENT_ID tenant=$AZURE_TENANT_ID authority=$AZURE_AUTHORITY_HOST"',
        'echo "file=$AZURE_FEDERATED_TOKEN_FILE"',
        'echo "config=$AZURE_CONFIG_DIR"',
        'stat -c "mode=%a uid=%u" "$AZURE_FEDERATED_TOKEN_FILE"',
        'echo "sha=$(sha256sum < "$AZURE_FEDERATED_TOKEN_FILE" | cut -d" " -f1)"',
        'cloudo-az-login --output none',
      ].join('\n'),
      'login.sh': 'cloudo-az-login --output none',
      'long.sh': [
        'echo "file=$AZURE_FEDERATED_TOKEN_FILE"',
        'echo "first=$(sha256sum < "$AZURE_FEDERATED_TOKEN_FILE" | cut -d" " -f1)"',
        `sleep ${TTL_SECONDS + 1}`,
        'echo "second=$(sha256sum < "$AZURE_FEDERATED_TOKEN_FILE" | cut -d" " -f1)"',
      ].join('\n'),
      'python-sdk.sh': [
        'exec /usr/bin/python3 - <<"EOF"',
        'import hashlib',
        'from azure.identity import DefaultAzureCredential',
        'token = DefaultAzureCredential().get_token("https://management.azure.com/.default").token',
        'print("access=" + hashlib.sha256(token.encode()).hexdigest())',
        'EOF',
      ].join('\n'),
    });
    worker = startTestWorker(t, dir, {
      runIdentity: { appUrl: app.url, key: KEY },
      workerEnv: {
        ...cli.env(),
        // no runbook may see it
        ...WORKER_MANAGED_IDENTITY_ENV,
        AZURE_CLIENT_ID: WORKER_CLIENT,
        SSL_CERT_FILE: entra.caFile,
        REQUESTS_CA_BUNDLE: entra.caFile,
      },
      runbookEnvPassthrough: ['FAKE_CLI_LOG', 'SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE'],
    });
  });
  afterAll(async () => {
    await worker?.close({ force: true });
    await Promise.all([app?.close(), entra?.close(), cli?.remove()]);
    await t?.cleanup();
  });

  /** Runs `runbook` of a schema of the same name that names `identity`; `announcedLife` as RunTokenApp's. */
  async function run(
    runbook: string,
    identity: string | null,
    announcedLife?: number,
  ): Promise<{ execution: Execution; log: string }> {
    const plan = planRun(testSchema({ id: runbook.replace(/\.sh$/, ''), runbook, identity }), HTTP_TRIGGER);
    if (announcedLife !== undefined) app.announcedLife.set(plan.execution.execId, announcedLife);
    await new RunDispatcher(t.storage).dispatch(plan);
    const execution = await waitFor(
      `${runbook} to finish`,
      async () => {
        const e = (await t.storage.executions.get(plan.execution.execId))?.execution;
        return e && isTerminal(e.status) ? e : undefined;
      },
      20_000,
    );
    const log = (await t.storage.logs.read(execution.execId))?.toString('utf8') ?? '';
    return { execution, log };
  }
  const field = (log: string, name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(log)?.[1];

  it('gives the runbook the workload-identity variables of its own identity, never the workers’', async () => {
    const { execution, log } = await run('env.sh', 'ident-a');
    expect(execution.status, log).toBe('succeeded');
    expect(field(log, 'worker_identity')).toBe('[]');
    expect(log).toContain(`client=${CLIENT_A} tenant=${TENANT} authority=${entra.authorityHost}`);
    const file = field(log, 'file') ?? '';
    expect(file).toMatch(new RegExp(`/cloudo-identity-${execution.execId}-[^/]+/azure-identity-token$`));
    // no separate users here: the worker's own file, for its eyes only
    expect(field(log, 'mode')).toBe(`600 uid=${process.getuid?.()}`);
    const minted = app.minted.filter((m) => m.execId === execution.execId);
    expect(minted[0]?.workerId).toBe(worker.workerId);
    expect(field(log, 'sha')).toBe(sha(minted[0]?.token ?? ''));
    // the token goes with the run
    expect(existsSync(file)).toBe(false);

    // cloudo-az-login: az logs in as the run's identity, into the run's own az state
    const calls = await cli.calls();
    const login = calls.find((c) => c.tool === 'az' && c.argv.includes('--service-principal'));
    const loginArgs = (token: string) => federatedLoginArgs(CLIENT_A, TENANT, token, ['--output', 'none']);
    // the token's file on the command line, which anyone on the host may read (/proc/<pid>/cmdline, ps),
    // never the token: az reads the file itself, and logs in with what it holds
    expect(login?.argv).toEqual(loginArgs(`@${file}`));
    expect(login?.expandedArgv).toEqual(loginArgs(minted[0]?.token ?? ''));
    for (const call of calls) {
      for (const { token } of app.minted) expect(call.argv.join(' ')).not.toContain(token);
    }
    expect(login?.azureConfigDir).toBe(field(log, 'config'));
    expect(login?.azureConfigDir).toMatch(new RegExp(`/cloudo-${execution.execId}-[^/]+/\\.azure$`));
  });

  it('refreshes the token of a long run before it expires, and stops once the run ends', async () => {
    const { execution, log } = await run('long.sh', 'ident-a', TTL_SECONDS);
    expect(execution.status, log).toBe('succeeded');
    const minted = () => app.minted.filter((m) => m.execId === execution.execId).map((m) => sha(m.token));
    const [first, second] = [field(log, 'first'), field(log, 'second')];
    expect(first).not.toBe(second);
    expect(minted()).toEqual(expect.arrayContaining([first, second]));
    const count = minted().length;
    await new Promise((resolve) => setTimeout(resolve, TTL_SECONDS * 1000));
    expect(minted()).toHaveLength(count);
    expect(existsSync(field(log, 'file') ?? '/')).toBe(false);
  });

  it('starts a run the app gives no identity (204) without one: cloudo-az-login says why', async () => {
    // its schema names no identity, and the deployment has no default one
    const { execution, log } = await run('login.sh', null);
    expect(execution.status).toBe('failed');
    expect(execution.exitCode).toBe(2);
    expect(log).toMatch(
      /cloudo-az-login: this run has no Azure identity \(AZURE_CLIENT_ID .*AZURE_FEDERATED_TOKEN_FILE unset\)/,
    );
    // the workers' client id is not the run's
    expect(log).not.toContain(WORKER_CLIENT);
  });

  it('ends a run the app refuses a token `error`, with the app’s reason, and runs nothing', async () => {
    // its schema names an identity the deployment does not define: the app refuses (409)
    const { execution, log } = await run('login.sh', 'nobody');
    expect(execution.status).toBe('error');
    expect(execution.error).toBe(
      'the run\'s Azure identity could not be fetched: the app answered 409: schema "login" names identity "nobody" ' +
        'that this deployment does not define (CLOUDO_RUNBOOK_IDENTITIES has: ident-a, ident-b); ' +
        'add it to the Terraform module’s runbook_identities, or name a client id',
    );
    expect(log).not.toContain('cloudo-az-login');
  });

  it.skipIf(PYTHON_AZURE_MISSING)(
    'lets DefaultAzureCredential (python azure-identity) exchange it for its own client only',
    async () => {
      const { execution, log } = await run('python-sdk.sh', 'ident-a');
      expect(execution.status, log).toBe('succeeded');
      const issued = entra.issued.filter((i) => i.clientId === CLIENT_A);
      expect(issued.map((i) => sha(i.accessToken))).toContain(field(log, 'access'));
      expect(issued.at(-1)?.scope).toContain('https://management.azure.com/.default');
      // azure-identity 1.13's token exchange asks for no discovery document: the token endpoint is all it calls
      expect(entra.requests.filter((r) => r.startsWith('GET'))).toEqual([]);

      // the same federated token, presented for another schema's identity, is refused as Entra does
      const token = app.minted.find((m) => m.execId === execution.execId)?.token ?? '';
      const refused = await exchange(entra, CLIENT_B, token);
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('invalid_request');
      expect(refused.body.error_description).toMatch(/^AADSTS70021: No matching federated identity record/);
      expect((await exchange(entra, CLIENT_A, token)).status).toBe(200);
    },
  );
});

/** A client-credentials request with `assertion`, as MSAL sends it. */
async function exchange(entra: FakeEntraTokenEndpoint, clientId: string, assertion: string) {
  const body = new URLSearchParams({
    client_id: clientId,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
    scope: 'https://management.azure.com/.default',
    grant_type: 'client_credentials',
  }).toString();
  const ca = await readFile(entra.caFile);
  return new Promise<{ status: number; body: { error?: string; error_description?: string } }>((resolve, reject) => {
    const req = request(
      new URL(`${entra.tenantId}/oauth2/v2.0/token`, entra.authorityHost),
      { method: 'POST', ca, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Accounts without a passwd entry, one per running run, as in test/security/runbook-user.test.ts. */
const FIRST_UID = 47_300;

/**
 * With a uid per run, the token is the run's alone: its file is owned by the run's uid, 0400, in a
 * folder of the worker's that no one may list; another run's uid cannot read it. Starting processes as
 * other users needs root (CI) or the image's capabilities; elsewhere this is skipped.
 */
describe.skipIf(process.getuid?.() !== 0)('a run’s token with a uid of its own', () => {
  let t: TestStorage;
  let worker: QueueWorker;
  let app: RunTokenApp;

  beforeAll(async () => {
    t = await createTestStorage();
    app = await startRunTokenApp(t, {
      workerKey: KEY,
      env: {
        CLOUDO_RUNBOOK_IDENTITIES: JSON.stringify(IDENTITIES),
        AZURE_TENANT_ID: TENANT,
        // nothing exchanges these tokens here
        AZURE_AUTHORITY_HOST: 'https://127.0.0.1:9/',
      },
    });
    const dir = await makeRunbooks({
      'peek.sh': [
        'stat -c "mode=%a uid=%u" "$AZURE_FEDERATED_TOKEN_FILE"',
        'cat "$AZURE_FEDERATED_TOKEN_FILE" > /dev/null && echo "own=read"',
        'ls "$(dirname "$AZURE_FEDERATED_TOKEN_FILE")" > /dev/null 2>&1 && echo "folder=listed" || echo "folder=unlisted"',
        'base="$(dirname "$(dirname "$AZURE_FEDERATED_TOKEN_FILE")")"',
        // wait for the other run's token (a file of this test's other uid: other tests' runs share /tmp),
        // try it, then stay a moment so the other can try ours
        'others=""',
        'for i in $(seq 100); do',
        '  for f in "$base"/cloudo-identity-*/azure-identity-token; do',
        '    [ "$f" = "$AZURE_FEDERATED_TOKEN_FILE" ] && continue',
        '    case "$(stat -c %u "$f" 2>/dev/null)" in 47300|47301) others="$others $f";; esac',
        '  done',
        '  [ -n "$others" ] && break; sleep 0.1',
        'done',
        'for f in $others; do',
        '  if cat "$f" > /dev/null 2>&1; then echo "other=read $f"; else echo "other=denied"; fi',
        'done',
        'sleep 1',
      ].join('\n'),
    });
    // the runbook accounts must reach the runbooks (mkdtemp made the folder private)
    await chmod(dir, 0o755);
    worker = startTestWorker(t, dir, {
      concurrency: 2,
      runbookAccounts: { firstUid: FIRST_UID, count: 2, gid: FIRST_UID },
      runIdentity: { appUrl: app.url, key: KEY },
    });
  });
  afterAll(async () => {
    await worker?.close({ force: true });
    await app?.close();
    await t?.cleanup();
  });

  it('is readable by the run’s uid only', async () => {
    const schema = testSchema({ id: 'peek', runbook: 'peek.sh', identity: 'ident-a' });
    const plans = [0, 1].map(() => planRun(schema, HTTP_TRIGGER));
    for (const plan of plans) {
      await new RunDispatcher(t.storage).dispatch(plan);
    }
    const logs = await Promise.all(
      plans.map(async ({ execution: { execId } }) => {
        const e = await waitFor(
          'peek.sh to finish',
          async () => {
            const row = (await t.storage.executions.get(execId))?.execution;
            return row && isTerminal(row.status) ? row : undefined;
          },
          20_000,
        );
        return { status: e.status, log: (await t.storage.logs.read(execId))?.toString('utf8') ?? '' };
      }),
    );
    const uids = new Set<string>();
    for (const { status, log } of logs) {
      expect(status, log).toBe('succeeded');
      const uid = /^mode=400 uid=(\d+)$/m.exec(log)?.[1];
      expect(uid, log).toMatch(/^4730[01]$/);
      uids.add(uid ?? '');
      expect(log).toContain('own=read');
      expect(log).toContain('folder=unlisted');
      expect(log).toContain('other=denied');
      expect(log).not.toContain('other=read');
    }
    expect(uids.size).toBe(2);
  });
});
