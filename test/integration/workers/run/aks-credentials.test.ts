import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AksTarget } from '../../../../src/core/aks-cluster.js';
import type { RunIdentity } from '../../../../src/core/runbook-env.js';
import type { FetchAksCredentialsOptions } from '../../../../workers/run/aks-credentials.js';
import { fetchAksCredentials } from '../../../../workers/run/aks-credentials.js';
import type { FakeCli, FakeCliBehaviour } from '../../../support/fake-cli.js';
import { federatedLoginArgs, installFakeCli, WORKER_MANAGED_IDENTITY_ENV } from '../../../support/fake-cli.js';
import { isAlive, waitFor } from '../../../support/wait.js';

const SUB = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';
const CLIENT_ID = '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d';
const CLIENT_B = 'bbbbbbbb-1111-4222-8333-444444444444';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjbG91ZG86c2NoZW1hOmEifQ.c2lnbmF0dXJlLWE';
/** The run's identity. Its token file is the run's (0400), which the worker may not read: here it does not exist. */
const IDENTITY: RunIdentity = {
  tokenFile: '/nonexistent/cloudo-identity-run/azure-identity-token',
  clientId: CLIENT_ID,
  tenantId: TENANT,
  authorityHost: 'https://login.microsoftonline.com/',
};
/** az login as the run's own identity, its token on stdin. */
const loginArgs = (clientId: string, token: string) =>
  federatedLoginArgs(clientId, TENANT, token, ['--output', 'none', '--only-show-errors']);

describe('fetchAksCredentials', () => {
  let cli: FakeCli;
  const workDirs: string[] = [];
  const target: AksTarget = { subscriptionId: SUB, resourceGroup: 'rg-aks', cluster: 'aks-prod' };

  beforeEach(async () => {
    cli = await installFakeCli();
  });
  afterEach(async () => {
    await cli.remove();
    await Promise.all(workDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  /** A run's work directory, as the queue worker makes one. */
  async function runDir(): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-aks-run-'));
    workDirs.push(dir);
    return dir;
  }
  async function fetchFor(
    workDir: string,
    overrides: Partial<FetchAksCredentialsOptions> & { behaviour?: FakeCliBehaviour } = {},
  ) {
    const { behaviour, ...rest } = overrides;
    return fetchAksCredentials({
      target,
      workDir,
      env: { ...cli.env(behaviour), ...WORKER_MANAGED_IDENTITY_ENV },
      identity: IDENTITY,
      token: TOKEN,
      timeoutMs: 5_000,
      ...rest,
    });
  }

  it('logs in as the run’s own identity, fetches and converts with exactly these arguments, into the run directory only', async () => {
    const workDir = await runDir();
    const result = await fetchFor(workDir);

    const kubeconfig = path.join(workDir, 'kubeconfig');
    const configDir = path.join(workDir, '.azure');
    expect(result).toEqual({
      ok: true,
      kubeconfig,
      env: { KUBECONFIG: kubeconfig, AZURE_CONFIG_DIR: configDir },
      notice: null,
    });
    const calls = await cli.calls();
    expect(calls.map((c) => [c.tool, ...c.argv])).toEqual([
      // the token on az's stdin: never in argv (ps), nor read from a file the worker may not read
      ['az', ...loginArgs(CLIENT_ID, '@-')],
      [
        'az',
        'aks',
        'get-credentials',
        '--resource-group',
        'rg-aks',
        '--name',
        'aks-prod',
        '--subscription',
        SUB,
        '--file',
        kubeconfig,
        '--overwrite-existing',
        '--only-show-errors',
      ],
      // kubectl in the runbook authenticates as the run's identity too, with its token file
      ['kubelogin', 'convert-kubeconfig', '-l', 'workloadidentity', '--kubeconfig', kubeconfig],
    ]);
    // az logged in with the run's token
    expect(calls[0]?.expandedArgv).toEqual(loginArgs(CLIENT_ID, TOKEN));
    for (const call of calls) {
      expect(call).toMatchObject({
        azureConfigDir: configDir,
        kubeconfigEnv: kubeconfig,
        telemetry: 'false',
        cwd: workDir,
        // the workers' managed identity reaches no command: az caches what it logs in with in the run's folder
        identityEnv: [],
      });
      expect(call.argv.join(' ')).not.toContain(TOKEN);
    }
    expect(await readFile(path.join(configDir, 'azureProfile.json'), 'utf8')).toBe(`{"identity":"${CLIENT_ID}"}\n`);
    expect((await stat(kubeconfig)).mode & 0o777).toBe(0o600);
    expect((await stat(configDir)).mode & 0o777).toBe(0o700);
    const text = await readFile(kubeconfig, 'utf8');
    expect(text).toContain('server: https://aks-prod.hcp.example.azmk8s.io:443');
    expect(text).toContain('# converted: --login workloadidentity --client-id \n');
    // the worker's shared az state was not touched
    expect(existsSync(path.join(cli.home, '.azure'))).toBe(false);
  });

  it('sets the kubeconfig’s namespace to the alert’s, as the original did, with exactly these arguments', async () => {
    const workDir = await runDir();
    const result = await fetchFor(workDir, { namespace: 'shop-01' });

    const kubeconfig = path.join(workDir, 'kubeconfig');
    expect(result).toMatchObject({ ok: true, kubeconfig, notice: null });
    const calls = await cli.calls();
    expect(calls.map((c) => c.tool)).toEqual(['az', 'az', 'kubelogin', 'kubectl']);
    expect(calls[3]?.argv).toEqual([
      'config',
      'set-context',
      '--current',
      '--namespace=shop-01',
      '--kubeconfig',
      kubeconfig,
    ]);
    expect(calls[3]).toMatchObject({
      azureConfigDir: path.join(workDir, '.azure'),
      kubeconfigEnv: kubeconfig,
      cwd: workDir,
    });
    // after the conversion, on the run's own file, which stays private
    expect(await readFile(kubeconfig, 'utf8')).toMatch(/# converted: .*\n# namespace: shop-01\n$/);
    expect((await stat(kubeconfig)).mode & 0o777).toBe(0o600);
  });

  it.each([null, ''])('calls no kubectl when the alert names no namespace (%j)', async (namespace) => {
    const workDir = await runDir();
    const result = await fetchFor(workDir, { namespace });
    expect(result).toMatchObject({ ok: true, notice: null });
    expect((await cli.calls()).map((c) => c.tool)).toEqual(['az', 'az', 'kubelogin']);
  });

  it.each(['../x', '-n', 'x; rm -rf /', '--kubeconfig=/etc/passwd', 'Shop', 'shop-', 'a'.repeat(64)])(
    'never passes a namespace that is no Kubernetes name (%j), and still gives the run its credentials',
    async (namespace) => {
      const workDir = await runDir();
      const result = await fetchFor(workDir, { namespace });
      const kubeconfig = path.join(workDir, 'kubeconfig');
      expect(result).toMatchObject({
        ok: true,
        kubeconfig,
        notice: expect.stringMatching(
          /^namespace ".*" is not a Kubernetes namespace name .*: kubectl uses the cluster's default/,
        ),
      });
      expect((await cli.calls()).map((c) => c.tool)).toEqual(['az', 'az', 'kubelogin']);
      expect(await readFile(kubeconfig, 'utf8')).not.toContain('# namespace');
    },
  );

  it('shows a long invalid namespace cut short in the notice', async () => {
    const result = await fetchFor(await runDir(), { namespace: `${'x'.repeat(200)}/` });
    expect(result).toMatchObject({ ok: true, notice: expect.stringContaining(`"${'x'.repeat(80)}…"`) });
  });

  it.each([
    ['cluster', { ...target, cluster: 'x; rm -rf /' }, /^AKS credentials not fetched: cluster "x; rm -rf \/" is not/],
    ['cluster', { ...target, cluster: '$(id)' }, /cluster "\$\(id\)" is not an AKS cluster name/],
    ['cluster', { ...target, cluster: '--help' }, /cluster "--help" is not/],
    ['cluster', { ...target, cluster: 'a'.repeat(64) }, /cluster "a{64}" is not/],
    [
      'resource group',
      { ...target, resourceGroup: '--subscription=other' },
      /resource group "--subscription=other" is not/,
    ],
    ['resource group', { ...target, resourceGroup: '-rg' }, /resource group "-rg" is not/],
    ['resource group', { ...target, resourceGroup: 'rg.' }, /resource group "rg\." is not/],
    ['resource group', { ...target, resourceGroup: 'rg aks' }, /resource group "rg aks" is not/],
    ['subscription', { ...target, subscriptionId: `--${SUB}` }, /subscription "--0b1c.*" is not a subscription id/],
    ['subscription', { ...target, subscriptionId: 'sub-1' }, /subscription "sub-1" is not/],
  ])('refuses a hostile or invalid %s before anything runs: %j', async (_what, hostile, reason) => {
    const workDir = await runDir();
    const result = await fetchFor(workDir, { target: hostile });
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(reason) });
    expect(await cli.calls()).toEqual([]);
    expect(await readdir(workDir)).toEqual([]);
  });

  it.each([
    [
      'client',
      { clientId: '--allow-no-subscriptions' },
      'the run\'s client id "--allow-no-subscriptions" is not a GUID',
    ],
    ['tenant', { tenantId: '--identity' }, 'the run\'s tenant id "--identity" is not a GUID'],
  ])('refuses a %s id that is not a GUID before anything runs', async (_what, identity, reason) => {
    const workDir = await runDir();
    const result = await fetchFor(workDir, { identity: { ...IDENTITY, ...identity } });
    expect(result).toEqual({ ok: false, reason: expect.stringContaining(reason) });
    expect(await cli.calls()).toEqual([]);
  });

  it('fails as Entra would when the token is empty, and never fetches', async () => {
    const workDir = await runDir();
    const result = await fetchFor(workDir, { token: '' });
    expect(result).toEqual({
      ok: false,
      reason: expect.stringMatching(/^az login --service-principal failed \(exit 1\): .*AADSTS50027/),
    });
    expect((await cli.calls()).map((c) => c.tool)).toEqual(['az']);
  });

  it('accepts the names Azure allows: parentheses, dots and letters beyond ASCII in a resource group', async () => {
    const workDir = await runDir();
    const result = await fetchFor(workDir, { target: { ...target, resourceGroup: 'rg.(prod)_ü-1', cluster: 'a_b-1' } });
    expect(result.ok).toBe(true);
    expect((await cli.calls())[1]?.argv.slice(2, 6)).toEqual(['--resource-group', 'rg.(prod)_ü-1', '--name', 'a_b-1']);
  });

  it('gives two concurrent runs two kubeconfigs and two az states that neither shares', async () => {
    const [dirA, dirB] = [await runDir(), await runDir()];
    const [a, b] = await Promise.all([
      fetchFor(dirA, { target: { ...target, cluster: 'aks-a' }, behaviour: { delayMs: 150 } }),
      fetchFor(dirB, {
        target: { ...target, cluster: 'aks-b' },
        identity: { ...IDENTITY, clientId: CLIENT_B },
        token: `${TOKEN}-b`,
        behaviour: { delayMs: 150 },
      }),
    ]);
    if (!a.ok || !b.ok) throw new Error(`both should succeed: ${JSON.stringify([a, b])}`);
    expect(a.kubeconfig).toBe(path.join(dirA, 'kubeconfig'));
    expect(b.kubeconfig).toBe(path.join(dirB, 'kubeconfig'));
    expect(a.env.AZURE_CONFIG_DIR).toBe(path.join(dirA, '.azure'));
    expect(b.env.AZURE_CONFIG_DIR).toBe(path.join(dirB, '.azure'));
    const [configA, configB] = [await readFile(a.kubeconfig, 'utf8'), await readFile(b.kubeconfig, 'utf8')];
    expect(configA).toContain('aks-a');
    expect(configA).not.toContain('aks-b');
    expect(configB).toContain('aks-b');
    expect(configB).not.toContain('aks-a');
    // each run logged in as its own identity, in its own directory, and fetched with that login
    expect(await readFile(path.join(dirA, '.azure', 'azureProfile.json'), 'utf8')).toBe(
      `{"identity":"${CLIENT_ID}"}\n`,
    );
    expect(await readFile(path.join(dirB, '.azure', 'azureProfile.json'), 'utf8')).toBe(`{"identity":"${CLIENT_B}"}\n`);
    const calls = await cli.calls();
    expect(calls).toHaveLength(6);
    // they did overlap: each call takes 150 ms, and both logins started before either run went on
    expect(calls.slice(0, 2).map((c) => c.argv[0])).toEqual(['login', 'login']);
    // each with its own token
    const logins = calls.filter((c) => c.argv[0] === 'login');
    expect(new Set(logins.map((c) => c.expandedArgv[7]))).toEqual(new Set([TOKEN, `${TOKEN}-b`]));
    for (const call of calls) {
      const dir = call.cwd === dirA ? dirA : dirB;
      expect(call.azureConfigDir).toBe(path.join(dir, '.azure'));
      expect(call.kubeconfigEnv).toBe(path.join(dir, 'kubeconfig'));
      if (call.argv.includes('--file')) expect(call.argv).toContain(path.join(dir, 'kubeconfig'));
    }
    expect(new Set(calls.map((c) => c.cwd))).toEqual(new Set([dirA, dirB]));
  });

  it('reports a failing az with the command and the last lines of its stderr, tokens removed', async () => {
    const workDir = await runDir();
    const result = await fetchFor(workDir, { behaviour: { fail: 'az aks' } });
    if (result.ok) throw new Error('should fail');
    expect(result.reason).toMatch(/^az aks get-credentials failed \(exit 1\): /);
    expect(result.reason).toContain('ERROR: (ResourceNotFound) fake failure of az aks');
    expect(result.reason.endsWith('Code: ResourceNotFound')).toBe(true);
    expect(result.reason).toContain('Authorization: Bearer ***');
    expect(result.reason).not.toContain('eyJ');
    // ten lines at most: the oldest progress lines are left out
    expect(result.reason).not.toMatch(/progress line [1-5]\b/);
    expect(result.reason.split('\n')).toHaveLength(10);
    // nothing runs after a failed step
    expect((await cli.calls()).map((c) => `${c.tool} ${c.argv[0]}`)).toEqual(['az login', 'az aks']);
  });

  it('stops at a failed login and never fetches', async () => {
    const workDir = await runDir();
    const result = await fetchFor(workDir, { behaviour: { fail: 'az login' } });
    expect(result).toEqual({
      ok: false,
      reason: expect.stringMatching(/^az login --service-principal failed \(exit 1\)/),
    });
    expect(await cli.calls()).toHaveLength(1);
    expect(existsSync(path.join(workDir, 'kubeconfig'))).toBe(false);
  });

  it('reports a failing kubelogin by name', async () => {
    const workDir = await runDir();
    const result = await fetchFor(workDir, { behaviour: { fail: 'kubelogin' } });
    expect(result).toEqual({
      ok: false,
      reason: expect.stringMatching(/^kubelogin convert-kubeconfig failed \(exit 1\)/),
    });
  });

  it('reports a failing kubectl with the last lines of its stderr, tokens removed', async () => {
    const workDir = await runDir();
    const result = await fetchFor(workDir, { namespace: 'shop', behaviour: { fail: 'kubectl' } });
    if (result.ok) throw new Error('should fail');
    expect(result.reason).toMatch(/^kubectl config set-context failed \(exit 1\): /);
    expect(result.reason).toContain('ERROR: (ResourceNotFound) fake failure of kubectl config');
    expect(result.reason).toContain('Authorization: Bearer ***');
    expect(result.reason).not.toContain('eyJ');
    expect(result.reason.split('\n')).toHaveLength(10);
  });

  it('kills a hanging az with its children at the deadline and says it timed out', async () => {
    const workDir = await runDir();
    const started = Date.now();
    const result = await fetchFor(workDir, { timeoutMs: 300, behaviour: { hang: 'az aks' } });
    const elapsed = Date.now() - started;
    expect(result).toEqual({
      ok: false,
      reason: 'az aks get-credentials timed out: fetching AKS credentials may take 300 ms',
    });
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1_500);
    const [pid] = await cli.hangPids();
    expect(pid).toBeGreaterThan(0);
    await waitFor('the hanging command’s child to be gone', () => (isAlive(pid ?? 0) ? undefined : true), 1_000);
    expect((await cli.calls()).map((c) => c.tool)).toEqual(['az', 'az']);
  });

  it('escalates to SIGKILL when a hanging command ignores SIGTERM', async () => {
    const workDir = await runDir();
    const started = Date.now();
    const result = await fetchFor(workDir, {
      timeoutMs: 200,
      killGraceMs: 200,
      behaviour: { hang: 'kubelogin', ignoreTerm: true },
    });
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/^kubelogin convert-kubeconfig timed out/) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    const [pid] = await cli.hangPids();
    await waitFor('the child that ignored SIGTERM to be gone', () => (isAlive(pid ?? 0) ? undefined : true), 1_000);
  });

  it('kills the running command when the run is cancelled', async () => {
    const workDir = await runDir();
    const abort = new AbortController();
    const pending = fetchFor(workDir, { signal: abort.signal, behaviour: { hang: 'az login' } });
    await waitFor('az login to start', async () => ((await cli.hangPids()).length > 0 ? true : undefined), 2_000);
    abort.abort();
    expect(await pending).toEqual({ ok: false, reason: 'az login --service-principal killed: the run was cancelled' });
  });

  it('reports a kubectl that is not installed', async () => {
    const workDir = await runDir();
    const result = await fetchFor(workDir, { namespace: 'shop', kubectlPath: path.join(cli.binDir, 'no-kubectl') });
    expect(result).toEqual({
      ok: false,
      reason: expect.stringMatching(/^kubectl config set-context could not start .*no-kubectl: spawn .* ENOENT$/),
    });
  });

  it('reports an az that is not installed', async () => {
    const workDir = await runDir();
    const result = await fetchFor(workDir, { azPath: path.join(cli.binDir, 'no-such-az') });
    expect(result).toEqual({
      ok: false,
      reason: expect.stringMatching(/^az login --service-principal could not start .*no-such-az: spawn .* ENOENT$/),
    });
  });
});
