import type { AlertContext } from './alert-context.js';
import type { Run } from './execution.js';
import { paramsEnv } from './run-parameters.js';

/**
 * Variables a runbook inherits from the worker. Everything else (storage keys, tokens, the workers' own
 * managed identity) stays out. A run's Azure identity is its own, given by the worker per run
 * (runIdentityEnv); the tenant and subscription are only defaults for tools that read them.
 */
export const INHERITED_ENV = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
  'USER',
  'LOGNAME',
  'AZURE_SUBSCRIPTION_ID',
  'AZURE_TENANT_ID',
] as const;

/**
 * The workers' managed identity: whoever holds IDENTITY_HEADER (MSI_SECRET) can ask the platform's endpoint
 * for the workers' tokens, which reach ClouDO's own storage. No runbook gets them, not even through
 * CLOUDO_RUNBOOK_ENV_PASSTHROUGH (the worker refuses to start with them there).
 */
export const NEVER_INHERITED_ENV = ['IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'MSI_ENDPOINT', 'MSI_SECRET'] as const;

/** A run's own Azure identity, as the Functions app answered for it (federated-token.ts). */
export interface RunIdentity {
  /**
   * Absolute path of the file holding the run's current federated token; null when the identity is
   * attached to the run's own container group (isolation: container), whose managed-identity endpoint
   * the Azure SDKs and `az login --identity` use instead.
   */
  readonly tokenFile: string | null;
  readonly clientId: string;
  readonly tenantId: string;
  readonly authorityHost: string;
}

/**
 * The AKS workload-identity variables, as the Azure SDKs (WorkloadIdentityCredential, DefaultAzureCredential),
 * `az login --federated-token` (cloudo-az-login) and `kubelogin -l workloadidentity` read them.
 */
export function runIdentityEnv(identity: RunIdentity): Record<string, string> {
  return {
    ...(identity.tokenFile === null ? {} : { AZURE_FEDERATED_TOKEN_FILE: identity.tokenFile }),
    AZURE_CLIENT_ID: identity.clientId,
    AZURE_TENANT_ID: identity.tenantId,
    AZURE_AUTHORITY_HOST: identity.authorityHost,
  };
}

export interface RunbookEnvInput {
  readonly execution: Run;
  readonly workerName: string;
  readonly alert: AlertContext | null;
  /** Path of the file holding the original alert payload, when there is one. */
  readonly alertFile: string | null;
  /** The worker's own environment, filtered through INHERITED_ENV plus `extraInherited`. */
  readonly workerEnv: Readonly<Record<string, string | undefined>>;
  readonly extraInherited?: readonly string[];
  /** The run's own Azure identity; null: the run has none (no AZURE_CLIENT_ID, no token file). */
  readonly identity?: RunIdentity | null;
}

/** The complete environment of one run, per the runbook contract (empty string when unknown). */
export function buildRunbookEnv(input: RunbookEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...INHERITED_ENV, ...(input.extraInherited ?? [])]) {
    if ((NEVER_INHERITED_ENV as readonly string[]).includes(name)) continue;
    const value = input.workerEnv[name];
    if (value !== undefined) env[name] = value;
  }
  const { execution, alert } = input;
  // parameters first: their CLOUDO_PARAM_ names cannot shadow what ClouDO sets
  Object.assign(env, paramsEnv(execution.params), alertEnv(alert), {
    CLOUDO_EXEC_ID: execution.execId,
    CLOUDO_SCHEMA_ID: execution.schemaId,
    // the original ClouDO's name for the schema's name
    CLOUDO_NAME: execution.schemaName,
    CLOUDO_RUNBOOK: execution.runbook,
    CLOUDO_WORKER: input.workerName,
    // the original ClouDO's runbooks inherited the worker app's capability setting under this name
    WORKER_CAPABILITY: input.workerName,
    CLOUDO_ONCALL: String(execution.oncall),
    CLOUDO_REQUESTED_AT: execution.requestedAt,
    CLOUDO_ALERT_FILE: input.alertFile ?? '',
    // `container`: the run has a container group of its own (cloudo-az-login then uses its managed identity)
    CLOUDO_ISOLATION: execution.isolation,
    // python buffers stdout when it is a pipe; unbuffered output is what makes logs live
    PYTHONUNBUFFERED: '1',
  });
  if (input.identity) Object.assign(env, runIdentityEnv(input.identity));
  return env;
}

/**
 * The part of a runbook's environment that comes from its alert (empty strings without one). Values pass
 * as sent, except NUL, which no environment can hold (the whole payload is in CLOUDO_ALERT_FILE).
 */
export function alertEnv(alert: AlertContext | null): Record<string, string> {
  const k8s = alert?.kubernetes;
  const env = {
    RESOURCE_ID: alert?.resourceId ?? '',
    RESOURCE_RG: alert?.resourceGroup ?? '',
    RESOURCE_NAME: alert?.resourceName ?? '',
    AKS_NAMESPACE: k8s?.namespace ?? '',
    AKS_POD: k8s?.pod ?? '',
    AKS_DEPLOYMENT: k8s?.deployment ?? '',
    AKS_JOB: k8s?.job ?? '',
    AKS_HPA: k8s?.hpa ?? '',
    MONITOR_CONDITION: alert?.monitorCondition ?? '',
    CLOUDO_ALERT_RULE: alert?.alertRule ?? '',
    CLOUDO_SEVERITY: alert?.severity ?? '',
  };
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replaceAll('\0', '')]));
}
