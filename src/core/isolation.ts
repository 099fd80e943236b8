import { z } from 'zod';

/**
 * Isolated runs (schema `isolation: container`): each run in a fresh Azure Container Instances group of its
 * own, created by the worker that claims it, rather than as a process on a shared worker host.
 */

export type Isolation = 'shared' | 'container';

/** ACI's ceiling for one container group in most regions: 4 CPU, 16 GB. */
const MAX_CPU = 4;
const MAX_MEMORY_GB = 16;

/** ACI takes CPU and memory in tenths. */
const tenths = (name: string, max: number) =>
  z.coerce
    .number()
    .min(0.1, `${name} must be at least 0.1`)
    .max(max, `${name} must be at most ${max} (an ACI container group's limit)`)
    .refine((v) => Math.abs(v * 10 - Math.round(v * 10)) < 1e-9, `${name} must be a multiple of 0.1`);

/** A schema's `resources`, as the file writes it. */
export const ContainerResources = z
  .object({ cpu: tenths('cpu', MAX_CPU).default(1), memory_gb: tenths('memory_gb', MAX_MEMORY_GB).default(1.5) })
  .strict();

/** CPU and memory of a run's container group, as a run and a schema keep them. */
export const RunResources = z.object({ cpu: z.number().positive(), memoryGb: z.number().positive() });
export type RunResources = z.infer<typeof RunResources>;

/** What a container run gets when its schema says nothing: ACI's smallest common size. */
export const DEFAULT_RESOURCES: RunResources = { cpu: 1, memoryGb: 1.5 };

/** The problems of an entry's isolation fields, with the path of each. */
export function isolationProblems(entry: {
  readonly isolation: Isolation;
  readonly resources?: unknown;
  readonly aks_credentials: boolean | 'auto';
}): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  if (entry.isolation === 'shared' && entry.resources !== undefined) {
    problems.push({
      path: ['resources'],
      message: 'applies only to `isolation: container`: a shared worker does not reserve CPU or memory for a run',
    });
  }
  if (entry.isolation === 'container' && entry.aks_credentials === true) {
    problems.push({
      path: ['aks_credentials'],
      message:
        'is not available with `isolation: container` yet: fetch the credentials in the runbook (az aks get-credentials)',
    });
  }
  return problems;
}

/** The group of a run: derived from its exec id, so that a create retried after a crash finds the same one. */
export function containerGroupName(execId: string): string {
  return `cloudo-run-${execId.toLowerCase()}`;
}

/** Tags of a run's group: what housekeeping finds orphans by, without reading anything else. */
export const GROUP_TAGS = {
  execId: 'cloudo-exec-id',
  createdAt: 'cloudo-created-at',
  timeoutMs: 'cloudo-timeout-ms',
} as const;
