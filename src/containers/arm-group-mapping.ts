import type { ContainerGroup, EnvironmentVariable, Event } from '@azure/arm-containerinstance';
import type { ContainerGroupSpec, ContainerGroupState } from './container-group.js';
import { RUN_CONTAINER_NAME } from './container-group.js';

/**
 * ClouDO's group ↔ ARM's ContainerGroup (api-version 2023-05-01, as @azure/arm-containerinstance 9.1.0 sends
 * it). The states follow learn.microsoft.com/azure/container-instances/container-state: `provisioningState`
 * is ARM's, `containers[].instanceView.currentState.state` (Waiting | Running | Terminated) the container's.
 * An image that cannot be pulled shows as a Waiting container with events `Pulling` (Normal), `Failed`
 * (Warning, "Failed to pull image \"…\": …") and `BackOff` (Normal), until ACI gives up and fails the
 * deployment (MicrosoftDocs/azure-compute-docs, container-instances-troubleshooting.md "Unable to pull image").
 */

/** The ARM body of a run's group: one container, never restarted, never a public IP. */
export function toArmContainerGroup(spec: ContainerGroupSpec): ContainerGroup {
  const variables = new Map<string, EnvironmentVariable>();
  for (const [name, value] of Object.entries(spec.environment)) variables.set(name, { name, value });
  // a secret wins over a plain variable of the same name: ARM refuses a name listed twice
  for (const [name, secureValue] of Object.entries(spec.secureEnvironment)) variables.set(name, { name, secureValue });
  // ACI pulls with an identity of the group's own: the registry's must be attached too
  const identities = new Set(spec.identityResourceIds);
  if (spec.registry) identities.add(spec.registry.identityResourceId);
  return {
    location: spec.location,
    tags: { ...spec.tags },
    osType: 'Linux',
    // a run happens once: a restart would run the runbook a second time
    restartPolicy: 'Never',
    containers: [
      {
        name: RUN_CONTAINER_NAME,
        image: spec.image,
        command: [...spec.command],
        environmentVariables: [...variables.values()],
        resources: { requests: { cpu: spec.cpu, memoryInGB: spec.memoryGb } },
      },
    ],
    ...(identities.size > 0
      ? {
          identity: {
            type: 'UserAssigned' as const,
            userAssignedIdentities: Object.fromEntries([...identities].map((id) => [id, {}])),
          },
        }
      : {}),
    ...(spec.subnetId ? { subnetIds: [{ id: spec.subnetId }] } : {}),
    ...(spec.registry
      ? { imageRegistryCredentials: [{ server: spec.registry.server, identity: spec.registry.identityResourceId }] }
      : {}),
  };
}

/** Where a group is, as ClouDO follows it. */
export function toContainerGroupState(group: ContainerGroup): ContainerGroupState {
  const container = group.containers.find((c) => c.name === RUN_CONTAINER_NAME) ?? group.containers[0];
  const current = container?.instanceView?.currentState;
  const events = [...(group.instanceView?.events ?? []), ...(container?.instanceView?.events ?? [])];
  switch (current?.state?.toLowerCase()) {
    // checked before provisioning: a container that ran has an exit code worth more than "Failed"
    case 'terminated':
      return {
        phase: 'terminated',
        exitCode: current?.exitCode ?? null,
        finishedAt: toIso(current?.finishTime),
        detail: current?.detailStatus || null,
      };
    case 'running':
      return { phase: 'running', startedAt: toIso(current?.startTime) };
  }
  if (group.provisioningState?.toLowerCase() === 'failed') {
    return {
      phase: 'failed',
      error:
        latest(events.filter((e) => e.type === 'Warning'))?.message ??
        (current?.detailStatus || latest(events)?.message) ??
        `Azure reports that container group ${group.name ?? ''} failed to provision`,
    };
  }
  const pullFailure = latest(events.filter(isPullFailure));
  if (pullFailure?.message) return { phase: 'failed', error: pullFailure.message };
  return { phase: 'pending', detail: latest(events)?.message ?? (current?.detailStatus || null) };
}

/** ACI's "Failed" event of an image pull (Kubernetes' kubelet wording, which ACI passes on). */
function isPullFailure(event: Event): boolean {
  const message = event.message ?? '';
  return (event.name === 'Failed' && /pull/i.test(message)) || /ErrImagePull|Failed to pull image/i.test(message);
}

/** The event seen last: by its timestamp, else by its place (ACI lists them oldest first). */
function latest(events: readonly Event[]): Event | undefined {
  let found: Event | undefined;
  for (const event of events) {
    const at = event.lastTimestamp?.getTime() ?? Number.NEGATIVE_INFINITY;
    const foundAt = found?.lastTimestamp?.getTime() ?? Number.NEGATIVE_INFINITY;
    if (!found || at >= foundAt) found = event;
  }
  return found;
}

function toIso(date: Date | undefined): string | null {
  return date && !Number.isNaN(date.getTime()) ? date.toISOString() : null;
}
