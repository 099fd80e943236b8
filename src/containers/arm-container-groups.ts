import type { ContainerInstanceManagementClientOptionalParams } from '@azure/arm-containerinstance';
import { ContainerInstanceManagementClient } from '@azure/arm-containerinstance';
import { GROUP_TAGS } from '../core/isolation.js';
import type { ContainerGroupsSettings } from '../core/isolation-settings.js';
import { toArmContainerGroup, toContainerGroupState } from './arm-group-mapping.js';
import { armErrorOf, armRetryPolicy } from './arm-retry-policy.js';
import type {
  ContainerGroupSpec,
  ContainerGroupState,
  ContainerGroups,
  ListedContainerGroup,
} from './container-group.js';
import { ContainerGroupError, RUN_CONTAINER_NAME } from './container-group.js';

const DEFAULT_RETRY_BUDGET_MS = 120_000;

/** `@azure/core-auth`'s TokenCredential, as the SDK names it (the package is not ours to import). */
type TokenCredential = ConstructorParameters<typeof ContainerInstanceManagementClient>[0];

export interface ArmContainerGroupsOptions {
  /** Subscription, resource group and ARM endpoint (`armUrl`, sovereign clouds) the groups live in. */
  readonly settings: ContainerGroupsSettings;
  /** Who manages the groups: the process's managed identity in Azure, a static token in tests. */
  readonly credential: TokenCredential;
  /** How often `create` and `delete` read ARM's operation status while waiting for it, ms (> 0). */
  readonly pollMs: number;
  /**
   * More client options (`tlsOptions` for a loopback fake, `userAgentOptions`...). `endpoint` and
   * `retryOptions` are ours: retries are this adapter's (429, 409, 5xx as ARM's Retry-After says).
   */
  readonly clientOptions?: ContainerInstanceManagementClientOptionalParams;
  /**
   * Longest one ARM request is retried on 429/409/5xx before its error is thrown, ms; default 120 000.
   * Each request of a call (the PUT, every status poll) has its own.
   */
  readonly retryBudgetMs?: number;
}

/** Azure Container Instances through ARM (`@azure/arm-containerinstance`): the groups of one resource group. */
export class ArmContainerGroups implements ContainerGroups {
  private readonly client: ContainerInstanceManagementClient;
  private readonly resourceGroup: string;
  private readonly pollMs: number;

  constructor(options: ArmContainerGroupsOptions) {
    if (!(options.pollMs > 0)) throw new Error('pollMs must be > 0');
    const budgetMs = options.retryBudgetMs ?? DEFAULT_RETRY_BUDGET_MS;
    if (!(budgetMs >= 0)) throw new Error('retryBudgetMs must be >= 0');
    this.resourceGroup = options.settings.resourceGroup;
    this.pollMs = options.pollMs;
    this.client = new ContainerInstanceManagementClient(options.credential, options.settings.subscriptionId, {
      ...options.clientOptions,
      endpoint: options.settings.armUrl,
      // the SDK's retries would wait on top of ours, uncapped by our budget and deaf to 409
      retryOptions: { maxRetries: 0 },
      additionalPolicies: [
        ...(options.clientOptions?.additionalPolicies ?? []),
        // inside the deserialization policy, which turns an error answer into a thrown RestError
        { policy: armRetryPolicy({ budgetMs }), position: 'perRetry' },
      ],
    });
  }

  async create(spec: ContainerGroupSpec, signal?: AbortSignal): Promise<void> {
    // the LRO's own error is a bare sentence; the last answer it read holds ARM's code and message
    let lastBody: unknown;
    try {
      const poller = await this.client.containerGroups.beginCreateOrUpdate(
        this.resourceGroup,
        spec.name,
        toArmContainerGroup(spec),
        {
          abortSignal: signal,
          updateIntervalInMs: this.pollMs,
          onResponse: (raw) => {
            lastBody = raw.parsedBody ?? raw.bodyAsText;
          },
        },
      );
      await poller.pollUntilDone({ abortSignal: signal });
    } catch (err) {
      throw toContainerGroupError(err, signal, lastBody);
    }
  }

  async state(name: string, signal?: AbortSignal): Promise<ContainerGroupState> {
    try {
      return toContainerGroupState(
        await this.client.containerGroups.get(this.resourceGroup, name, { abortSignal: signal }),
      );
    } catch (err) {
      if (statusOf(err) === 404) return { phase: 'gone' };
      throw toContainerGroupError(err, signal);
    }
  }

  async logs(name: string, tail: number, signal?: AbortSignal): Promise<string> {
    try {
      const logs = await this.client.containers.listLogs(this.resourceGroup, name, RUN_CONTAINER_NAME, {
        tail,
        abortSignal: signal,
      });
      return logs.content ?? '';
    } catch (err) {
      throw toContainerGroupError(err, signal);
    }
  }

  async delete(name: string, signal?: AbortSignal): Promise<void> {
    try {
      const poller = await this.client.containerGroups.beginDelete(this.resourceGroup, name, {
        abortSignal: signal,
        updateIntervalInMs: this.pollMs,
      });
      await poller.pollUntilDone({ abortSignal: signal });
    } catch (err) {
      // ACI answers 204 for a group that is not there; a 404 on the way means the same
      if (statusOf(err) === 404) return;
      throw toContainerGroupError(err, signal);
    }
  }

  async list(signal?: AbortSignal): Promise<ListedContainerGroup[]> {
    const found: ListedContainerGroup[] = [];
    try {
      for await (const group of this.client.containerGroups.listByResourceGroup(this.resourceGroup, {
        abortSignal: signal,
      })) {
        if (group.name && group.tags?.[GROUP_TAGS.execId] !== undefined)
          found.push({ name: group.name, tags: group.tags });
      }
    } catch (err) {
      throw toContainerGroupError(err, signal);
    }
    return found;
  }
}

function statusOf(err: unknown): number | null {
  const status = typeof err === 'object' && err !== null ? (err as { statusCode?: unknown }).statusCode : undefined;
  return typeof status === 'number' ? status : null;
}

/**
 * ARM's refusal as a ContainerGroupError: its code and message from the error body (a RestError's response,
 * or the failed operation's status body). An abort stays the AbortError it is: the caller asked for it.
 */
function toContainerGroupError(err: unknown, signal: AbortSignal | undefined, lastBody?: unknown): unknown {
  if (signal?.aborted || (err instanceof Error && err.name === 'AbortError')) return err;
  if (err instanceof ContainerGroupError) return err;
  const status = statusOf(err);
  const response =
    typeof err === 'object' && err !== null ? (err as { response?: { bodyAsText?: unknown } }).response : undefined;
  // a failed operation's status body is {status: 'Failed', error: {...}}: that is the error when no response is
  const arm = armErrorOf(response ? response.bodyAsText : lastBody);
  const fallback = err instanceof Error ? err.message : String(err);
  const errCode = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return new ContainerGroupError(
    arm.message ?? fallback,
    arm.code ?? (typeof errCode === 'string' ? errCode : null),
    status,
  );
}
