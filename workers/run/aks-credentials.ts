import { spawn } from 'node:child_process';
import { chmod, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AksTarget } from '../../src/core/aks-cluster.js';
import { createRedactor } from '../../src/core/redaction.js';
import type { RunIdentity } from '../../src/core/runbook-env.js';
import { NEVER_INHERITED_ENV, runIdentityEnv } from '../../src/core/runbook-env.js';
import { groupKiller } from './process-group.js';

/** Where a run's credentials are fetched from, and with what. */
export interface FetchAksCredentialsOptions {
  /** The cluster; checked against Azure's naming rules again here, since these values come from an alert. */
  readonly target: AksTarget;
  /**
   * The run's own (absolute) work directory. The kubeconfig goes to `<workDir>/kubeconfig` and the Azure CLI
   * state to `<workDir>/.azure`, so they are removed with it and no other run can read them.
   */
  readonly workDir: string;
  /**
   * The run's environment (PATH, HOME): `az` and `kubelogin` are found on its PATH. The workers' managed
   * identity (IDENTITY_*, MSI_*) is taken out should it be there: these commands never act as the workers.
   */
  readonly env: Readonly<Record<string, string>>;
  /**
   * The run's own Azure identity: az fetches the credentials as it, and kubectl in the runbook
   * authenticates as it, so the cluster must grant it access (the Cluster User Role, and what kubectl needs).
   */
  readonly identity: RunIdentity;
  /**
   * The token `identity.tokenFile` holds now, from the worker's memory, for az's stdin: with a uid of its
   * own, that file is the run's (0400) and the worker, without CAP_DAC_OVERRIDE in the image, cannot read it.
   */
  readonly token: string;
  /**
   * The alert's Kubernetes namespace, for the kubeconfig's current context (null or '': the cluster's
   * default). Checked as a namespace name here, since it comes from an alert.
   */
  readonly namespace?: string | null;
  /** How long all the commands together may take, in ms; a command still running then is killed. */
  readonly timeoutMs: number;
  /** After SIGTERM, how long a command's process group has before SIGKILL, in ms. Default 2000. */
  readonly killGraceMs?: number;
  /** Aborting (cancel, shutdown) kills the running command the same way as a timeout. */
  readonly signal?: AbortSignal;
  /** Default `az`, looked up on `env.PATH`. */
  readonly azPath?: string;
  /** Default `kubelogin`, looked up on `env.PATH`. */
  readonly kubeloginPath?: string;
  /** Default `kubectl`, looked up on `env.PATH`. */
  readonly kubectlPath?: string;
}

/** Expected outcomes are values: a cluster without access or a CLI error ends the run with `reason`. */
export type FetchAksCredentialsResult =
  | {
      readonly ok: true;
      /** Absolute path of the run's kubeconfig (mode 0600). */
      readonly kubeconfig: string;
      /** To add to the run's environment: KUBECONFIG, and AZURE_CONFIG_DIR holding the run's own az login. */
      readonly env: Record<string, string>;
      /** For the run's log: why the alert's namespace was not set; null when it was, or there was none. */
      readonly notice: string | null;
    }
  | { readonly ok: false; readonly reason: string };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Azure's rules, narrowed so that no value can start with '-' and be read as an option
const CLUSTER_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$/;
const RESOURCE_GROUP = /^[\p{L}\p{N}_.()][\p{L}\p{N}_.()-]{0,89}$/u;
// Kubernetes' own rule for a namespace (a DNS-1123 label): no '-' first, no '/', '.', space or shell character
const NAMESPACE = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

const DEFAULT_KILL_GRACE_MS = 2_000;
const STDERR_TAIL_LINES = 10;
const STDERR_TAIL_CHARS = 1_000;
/** How long a finished command's leftover children may keep stderr open before they are killed. */
const LEFTOVER_GRACE_MS = 500;

/**
 * Fetches one run's AKS credentials as the run's own Azure identity, into the run's own directory. Never
 * as the workers' managed identity: az caches the tokens of its login in AZURE_CONFIG_DIR, which is the
 * runbook's too, and the workers' tokens reach ClouDO's own storage.
 *
 * 1. `az login --service-principal --federated-token @-` as the run's client id and tenant, the token on
 *    az's stdin (never in argv, which any user on the host reads in /proc; az expands `@-` itself), with
 *    `AZURE_CONFIG_DIR=<workDir>/.azure`: az writes its profile and token cache without locking
 *    (azure-cli#19402), and a runbook's `az account set` or `az logout` would reach every other run sharing
 *    ~/.azure; a per-run directory shares nothing and goes away with the run.
 * 2. `az aks get-credentials ... --file <workDir>/kubeconfig`.
 * 3. `kubelogin convert-kubeconfig -l workloadidentity`: kubectl in the runbook then exchanges the run's
 *    token file (AZURE_FEDERATED_TOKEN_FILE, kept fresh by the worker) for its tokens itself.
 * 4. When the alert names a namespace, `kubectl config set-context --current --namespace=<ns>`, as the
 *    original ClouDO's aks-login.sh did: its runbooks' plain `kubectl get pods` act on the alert's namespace.
 *
 * Every command runs without a shell, in its own process group, stdin closed or holding only the token
 * (az never waits for a prompt), and killed at the deadline. Never throws for a failed command; throws only
 * for a bug (relative workDir).
 */
export async function fetchAksCredentials(options: FetchAksCredentialsOptions): Promise<FetchAksCredentialsResult> {
  if (!path.isAbsolute(options.workDir)) throw new Error(`workDir must be absolute, got ${options.workDir}`);
  const invalid = invalidArgument(options.target, options.identity);
  if (invalid) return { ok: false, reason: `AKS credentials not fetched: ${invalid}` };

  const { subscriptionId, resourceGroup, cluster } = options.target;
  const kubeconfig = path.join(options.workDir, 'kubeconfig');
  const configDir = path.join(options.workDir, '.azure');
  await mkdir(configDir, { recursive: true, mode: 0o700 });
  const runEnv = { KUBECONFIG: kubeconfig, AZURE_CONFIG_DIR: configDir };
  const env = {
    ...withoutWorkerIdentity(options.env),
    ...runIdentityEnv(options.identity),
    ...runEnv,
    // the telemetry uploader az leaves behind would hold our pipe open and write after the run is gone
    AZURE_CORE_COLLECT_TELEMETRY: 'false',
  };
  const az = options.azPath ?? 'az';
  const { clientId, tenantId } = options.identity;
  const { namespace, notice } = checkNamespace(options.namespace);
  const steps: Step[] = [
    {
      label: 'az login --service-principal',
      command: az,
      args: [
        'login',
        '--service-principal',
        '--username',
        clientId,
        '--tenant',
        tenantId,
        '--federated-token',
        '@-',
        '--allow-no-subscriptions',
        '--output',
        'none',
        '--only-show-errors',
      ],
      stdin: options.token,
    },
    {
      label: 'az aks get-credentials',
      command: az,
      args: [
        'aks',
        'get-credentials',
        '--resource-group',
        resourceGroup,
        '--name',
        cluster,
        '--subscription',
        subscriptionId,
        '--file',
        kubeconfig,
        '--overwrite-existing',
        '--only-show-errors',
      ],
    },
    {
      label: 'kubelogin convert-kubeconfig',
      command: options.kubeloginPath ?? 'kubelogin',
      // kubectl's kubelogin reads the run's client id, tenant and token file from the runbook's environment
      args: ['convert-kubeconfig', '-l', 'workloadidentity', '--kubeconfig', kubeconfig],
    },
  ];
  if (namespace !== null) {
    steps.push({
      label: 'kubectl config set-context',
      command: options.kubectlPath ?? 'kubectl',
      // glued to its option, as the original passed it: the value can never be read as an option of its own
      args: ['config', 'set-context', '--current', `--namespace=${namespace}`, '--kubeconfig', kubeconfig],
    });
  }

  const deadline = Date.now() + options.timeoutMs;
  for (const step of steps) {
    const failure = await runStep(step, {
      env,
      cwd: options.workDir,
      deadline,
      timeoutMs: options.timeoutMs,
      killGraceMs: options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
      signal: options.signal,
    });
    if (failure) return { ok: false, reason: failure };
  }
  try {
    if (!(await stat(kubeconfig)).isFile()) throw new Error('not a file');
  } catch {
    return { ok: false, reason: `az aks get-credentials succeeded but wrote no kubeconfig at ${kubeconfig}` };
  }
  // az, kubelogin and kubectl write 0600 today; the file may hold a client key, so do not depend on it
  await chmod(kubeconfig, 0o600);
  return { ok: true, kubeconfig, env: runEnv, notice };
}

/**
 * The namespace to set, if any, and why an alert's one is not. An invalid one is skipped rather than failing
 * the run: no Kubernetes namespace can have that name, so nothing the alert is about lives there, and a
 * runbook that names its namespace itself (`kubectl -n "$AKS_NAMESPACE"`, which still carries the alert's
 * value, gets kubectl's own error) or only calls az should not lose its run to it. The notice goes to the
 * run's log, so an author sees why a plain `kubectl get pods` acts on the cluster's default namespace.
 */
function checkNamespace(value: string | null | undefined): { namespace: string | null; notice: string | null } {
  if (!value) return { namespace: null, notice: null };
  if (NAMESPACE.test(value)) return { namespace: value, notice: null };
  return {
    namespace: null,
    notice:
      `namespace ${show(value)} is not a Kubernetes namespace name (1-63 lowercase letters, digits or '-', ` +
      "starting and ending with a letter or digit), so it was not set: kubectl uses the cluster's default namespace",
  };
}

/** A value from an alert, quoted and cut short, for a message. */
function show(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/** The environment without the workers' managed identity, whoever passed it. */
function withoutWorkerIdentity(env: Readonly<Record<string, string>>): Record<string, string> {
  const names: readonly string[] = NEVER_INHERITED_ENV;
  return Object.fromEntries(Object.entries(env).filter(([name]) => !names.includes(name)));
}

/** Why a value must not become an argument, or null when all are fine. */
function invalidArgument(target: AksTarget, identity: RunIdentity): string | null {
  if (!CLUSTER_NAME.test(target.cluster)) {
    return `cluster ${show(target.cluster)} is not an AKS cluster name (1-63 letters, digits, '-' or '_', starting and ending with a letter or digit)`;
  }
  if (!RESOURCE_GROUP.test(target.resourceGroup) || target.resourceGroup.endsWith('.')) {
    return `resource group ${show(target.resourceGroup)} is not a resource group name (1-90 letters, digits, '_', '-', '.', '(' or ')', not starting with '-' nor ending with '.')`;
  }
  if (!GUID.test(target.subscriptionId))
    return `subscription ${show(target.subscriptionId)} is not a subscription id (a GUID)`;
  // the app's answer was checked already; these two become arguments, so they are checked where they do
  if (!GUID.test(identity.clientId)) return `the run's client id ${show(identity.clientId)} is not a GUID`;
  if (!GUID.test(identity.tenantId)) return `the run's tenant id ${show(identity.tenantId)} is not a GUID`;
  return null;
}

interface Step {
  /** Names the command in a failure reason (its values stay out). */
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Written to the command's stdin, which is then closed; without it stdin is closed from the start. */
  readonly stdin?: string;
}

interface StepContext {
  readonly env: Record<string, string>;
  readonly cwd: string;
  /** Epoch ms by which every step must be done. */
  readonly deadline: number;
  /** The whole budget, for the message. */
  readonly timeoutMs: number;
  readonly killGraceMs: number;
  readonly signal: AbortSignal | undefined;
}

/** Runs one command to its end; resolves with the reason it failed, or null. */
function runStep(step: Step, context: StepContext): Promise<string | null> {
  const remainingMs = context.deadline - Date.now();
  const timedOutReason = `${step.label} timed out: fetching AKS credentials may take ${context.timeoutMs} ms`;
  if (remainingMs <= 0) return Promise.resolve(timedOutReason);
  if (context.signal?.aborted) return Promise.resolve(`${step.label} not run: the run was cancelled`);

  const child = spawn(step.command, step.args, {
    cwd: context.cwd,
    env: context.env,
    detached: true,
    stdio: [step.stdin === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'],
  });
  if (step.stdin !== undefined) {
    // a command that exits without reading it makes the write fail (EPIPE): its exit status says why
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(step.stdin);
  }
  return new Promise<string | null>((resolve) => {
    let stderr = '';
    let ending: 'timeout' | 'abort' | null = null;
    const timers: NodeJS.Timeout[] = [];
    const killer = groupKiller(child, context.killGraceMs);
    const terminate = (why: 'timeout' | 'abort') => {
      if (ending) return;
      ending = why;
      killer.terminate();
    };
    const onAbort = () => terminate('abort');
    let finished = false;
    // a failed spawn may report both 'error' and 'close'
    const finish = (reason: string | null) => {
      if (finished) return;
      finished = true;
      for (const timer of timers) clearTimeout(timer);
      killer.dispose();
      context.signal?.removeEventListener('abort', onAbort);
      killer.kill();
      resolve(reason);
    };

    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4 * STDERR_TAIL_CHARS);
    });
    timers.push(setTimeout(() => terminate('timeout'), remainingMs));
    context.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('exit', () => {
      // the command is done but something it started may still hold stderr open: not for long
      timers.push(
        setTimeout(() => {
          killer.kill();
          child.stderr?.destroy();
        }, LEFTOVER_GRACE_MS),
      );
    });
    child.once('error', (err) => finish(`${step.label} could not start ${step.command}: ${err.message}`));
    child.once('close', (exitCode, signal) => {
      if (ending === 'timeout') return finish(timedOutReason);
      if (ending === 'abort') return finish(`${step.label} killed: the run was cancelled`);
      if (exitCode === 0) return finish(null);
      const status = exitCode === null ? `killed by ${signal}` : `exit ${exitCode}`;
      const tail = stderrTail(stderr);
      finish(`${step.label} failed (${status})${tail ? `: ${tail}` : ''}`);
    });
  });
}

const redactCredentials = createRedactor([]);

/** The last lines of a command's stderr for a reason: colour codes and anything token-like removed. */
function stderrTail(stderr: string): string {
  const clean = redactCredentials(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes start with ESC
    stderr.replace(/\x1b\[[0-9;]*[A-Za-z]/g, ''),
  );
  const lines = clean
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '');
  return lines.slice(-STDERR_TAIL_LINES).join('\n').slice(-STDERR_TAIL_CHARS);
}
