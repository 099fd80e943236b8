import type { AlertContext } from './alert-context.js';
import type { Run } from './execution.js';
import { paramsEnv } from './run-parameters.js';

/**
 * Variables a runbook inherits from the worker. Everything else (storage keys, tokens) stays out: a
 * runbook sees the platform identity it needs for `az login --identity`, not ClouDO's own secrets.
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
  'IDENTITY_ENDPOINT',
  'IDENTITY_HEADER',
  'MSI_ENDPOINT',
  'MSI_SECRET',
  'AZURE_CLIENT_ID',
  'AZURE_SUBSCRIPTION_ID',
  'AZURE_TENANT_ID',
  'AZURE_FEDERATED_TOKEN_FILE',
  'AZURE_AUTHORITY_HOST',
] as const;

export interface RunbookEnvInput {
  readonly execution: Run;
  readonly workerName: string;
  readonly alert: AlertContext | null;
  /** Path of the file holding the original alert payload, when there is one. */
  readonly alertFile: string | null;
  /** The worker's own environment, filtered through INHERITED_ENV plus `extraInherited`. */
  readonly workerEnv: Readonly<Record<string, string | undefined>>;
  readonly extraInherited?: readonly string[];
}

/** The complete environment of one run, per the runbook contract (empty string when unknown). */
export function buildRunbookEnv(input: RunbookEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...INHERITED_ENV, ...(input.extraInherited ?? [])]) {
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
    // python buffers stdout when it is a pipe; unbuffered output is what makes logs live
    PYTHONUNBUFFERED: '1',
  });
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
