/**
 * What ClouDO asks of Azure Container Instances for one isolated run, independent of the SDK: the group it
 * creates, the states it follows, the errors it tells apart. The ARM adapter (arm-container-groups.ts)
 * speaks this; the isolated run (container-run.ts) uses only this.
 */

/** One run's container group: everything ARM needs to create it. */
export interface ContainerGroupSpec {
  /** `cloudo-run-<exec id>`, so that a retried create finds the same group (idempotent). */
  readonly name: string;
  readonly location: string;
  readonly image: string;
  readonly command: readonly string[];
  /** Plain variables: visible to whoever can read the group in ARM. */
  readonly environment: Readonly<Record<string, string>>;
  /** Secrets (`secureValue`): never returned by ARM. */
  readonly secureEnvironment: Readonly<Record<string, string>>;
  readonly cpu: number;
  readonly memoryGb: number;
  /** User-assigned identities (ARM ids) attached to the group: the run's own. */
  readonly identityResourceIds: readonly string[];
  /** Subnet the group joins (private deployments); null: no network of ours. Never a public IP either way. */
  readonly subnetId: string | null;
  /** Registry login by identity, for a private image; null: a public image. */
  readonly registry: { readonly server: string; readonly identityResourceId: string } | null;
  /** `cloudo-exec-id`, `cloudo-created-at`, `cloudo-timeout-ms`: what housekeeping sweeps orphans by. */
  readonly tags: Readonly<Record<string, string>>;
}

/** Where a group is, as ClouDO follows it. */
export type ContainerGroupState =
  /** Created, container not started yet (image pull, capacity): `detail` is ARM's latest event, if any. */
  | { readonly phase: 'pending'; readonly detail: string | null }
  | { readonly phase: 'running'; readonly startedAt: string | null }
  /** The container ended (restart policy Never): its exit code as ACI reports it. */
  | {
      readonly phase: 'terminated';
      readonly exitCode: number | null;
      readonly finishedAt: string | null;
      readonly detail: string | null;
    }
  /** It will never run: provisioning failed, or the image cannot be pulled. `error` is ARM's message. */
  | { readonly phase: 'failed'; readonly error: string }
  /** No such group (deleted, or never created). */
  | { readonly phase: 'gone' };

/** A group ClouDO made, as housekeeping lists them. */
export interface ListedContainerGroup {
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** ARM refused for good (quota, bad request, image not accessible...): ARM's code and message. */
export class ContainerGroupError extends Error {
  override readonly name = 'ContainerGroupError';
  constructor(
    message: string,
    readonly code: string | null,
    readonly status: number | null,
  ) {
    super(message);
  }
}

/** The container groups of one resource group. Every call retries 429 and 409 as ARM's Retry-After says. */
export interface ContainerGroups {
  /**
   * Creates the group (or finds it, when a create with this name ran before) and waits until ARM has
   * provisioned it. Throws ContainerGroupError when ARM refuses or provisioning fails.
   */
  create(spec: ContainerGroupSpec, signal?: AbortSignal): Promise<void>;
  state(name: string, signal?: AbortSignal): Promise<ContainerGroupState>;
  /** The last `tail` lines the container printed (its stdout and stderr, as ACI keeps them). */
  logs(name: string, tail: number, signal?: AbortSignal): Promise<string>;
  /** Deletes the group and waits until it is gone; a group already gone is fine. */
  delete(name: string, signal?: AbortSignal): Promise<void>;
  /** The groups tagged `cloudo-exec-id` in the resource group. */
  list(signal?: AbortSignal): Promise<ListedContainerGroup[]>;
}

/** The container's name inside each group (one container a group). */
export const RUN_CONTAINER_NAME = 'run';
