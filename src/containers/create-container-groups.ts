import type { ContainerGroupsSettings } from '../core/isolation-settings.js';
import { lazyDefaultCredential } from '../storage/index.js';
import { ArmContainerGroups } from './arm-container-groups.js';

/** How often a provisioning group is looked at when the caller does not say (the app only lists and deletes). */
const DEFAULT_POLL_MS = 2_000;

/**
 * The container groups of a deployment, reached as this process's managed identity (`CLOUDO_ACI_CLIENT_ID`,
 * or the system-assigned one); `@azure/identity` loads on the first call only.
 */
export function createContainerGroups(settings: ContainerGroupsSettings, pollMs = DEFAULT_POLL_MS): ArmContainerGroups {
  return new ArmContainerGroups({ settings, credential: lazyDefaultCredential(settings.clientId), pollMs });
}
