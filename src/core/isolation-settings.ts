import { z } from 'zod';
import type { EnvShape } from './setting-values.js';
import { described, Guid, Millis, Url } from './setting-values.js';

/**
 * Where runs of schemas with `isolation: container` get their container group (Azure Container Instances),
 * and with which rights. Workers create, follow and delete the groups; the Functions app only lists and
 * deletes orphans (housekeeping). Terraform sets them all (iac/isolated-runs.tf).
 */

/** `/subscriptions/<guid>/resourceGroups/<name>`: where the groups are created. */
const RESOURCE_GROUP_ID = /^\/subscriptions\/[0-9a-fA-F-]{36}\/resourceGroups\/[-\w._()]{1,90}$/;
/** A user-assigned identity's ARM id. */
const IDENTITY_ID =
  /^\/subscriptions\/[0-9a-fA-F-]{36}\/resourceGroups\/[-\w._()]{1,90}\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/[-\w]{3,128}$/i;
const SUBNET_ID =
  /^\/subscriptions\/[0-9a-fA-F-]{36}\/resourceGroups\/[-\w._()]{1,90}\/providers\/Microsoft\.Network\/virtualNetworks\/[-\w.]{2,64}\/subnets\/[-\w.]{1,80}$/i;

/** Both processes: where the groups live, how ARM is reached, as which identity. */
export const ContainerGroupsEnv = {
  CLOUDO_ACI_RESOURCE_GROUP_ID: described(
    z
      .string()
      .regex(RESOURCE_GROUP_ID, 'CLOUDO_ACI_RESOURCE_GROUP_ID must be /subscriptions/<id>/resourceGroups/<name>')
      .optional(),
    'resource group isolated runs get their container groups in (`/subscriptions/<id>/resourceGroups/<name>`); unset: schemas with `isolation: container` cannot run',
  ),
  CLOUDO_ACI_CLIENT_ID: described(
    z.string().regex(Guid, 'CLOUDO_ACI_CLIENT_ID must be a client id (GUID)').optional(),
    'client id of the user-assigned identity that manages container groups (the process’s own); unset: the system-assigned one',
  ),
  CLOUDO_ACI_ORPHAN_GRACE_MS: described(
    Millis('CLOUDO_ACI_ORPHAN_GRACE_MS', 0, 86_400_000).default(900_000),
    'how long past its run’s timeout a container group may live before housekeeping deletes it as an orphan',
  ),
  CLOUDO_ACI_ARM_URL: described(
    Url('CLOUDO_ACI_ARM_URL').default('https://management.azure.com'),
    'Azure Resource Manager endpoint (sovereign clouds)',
  ),
} satisfies EnvShape;

/** One attachable runbook identity: what a run's environment names and what ARM attaches. */
const AttachableIdentity = z
  .object({
    client_id: z.string().regex(Guid, 'client_id must be a client id (GUID)'),
    resource_id: z.string().regex(IDENTITY_ID, 'resource_id must be a user-assigned identity’s ARM id'),
  })
  .strict();

const AttachableIdentities = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'CLOUDO_ACI_IDENTITIES must be JSON' });
      return z.NEVER;
    }
  })
  .pipe(
    z.record(z.string(), AttachableIdentity, {
      error: 'CLOUDO_ACI_IDENTITIES must be a JSON object of name → {client_id, resource_id}',
    }),
  );

/** The workers: what a run's container group is made of. */
export const IsolatedRunsEnv = {
  ...ContainerGroupsEnv,
  CLOUDO_ACI_LOCATION: described(
    z
      .string()
      .regex(/^[a-z0-9]+$/, 'CLOUDO_ACI_LOCATION must be an Azure region name (e.g. westeurope)')
      .optional(),
    'region of the container groups (default: needed with CLOUDO_ACI_RESOURCE_GROUP_ID)',
  ),
  CLOUDO_ACI_IMAGE: described(
    z.string().min(1).optional(),
    'worker image the container groups run in one-shot mode (`--exec <execId>`); needed with CLOUDO_ACI_RESOURCE_GROUP_ID',
  ),
  CLOUDO_ACI_REGISTRY_IDENTITY: described(
    z.string().regex(IDENTITY_ID, 'CLOUDO_ACI_REGISTRY_IDENTITY must be a user-assigned identity’s ARM id').optional(),
    'identity (ARM id) the groups pull the image with from its registry; unset: a public image',
  ),
  CLOUDO_ACI_SUBNET_ID: described(
    z.string().regex(SUBNET_ID, 'CLOUDO_ACI_SUBNET_ID must be a subnet’s ARM id').optional(),
    'subnet (delegated to Microsoft.ContainerInstance/containerGroups) the groups join; unset: no network of yours, and never a public IP',
  ),
  CLOUDO_ACI_IDENTITIES: described(
    AttachableIdentities.optional(),
    'runbook identities a group may be given: JSON object of name (of `runbook_identities`, or `default`) → {client_id, resource_id}',
  ),
  CLOUDO_ACI_POLL_MS: described(
    Millis('CLOUDO_ACI_POLL_MS', 50, 60_000).default(2_000),
    'how often a running group’s state is read',
  ),
  CLOUDO_ACI_START_TIMEOUT_MS: described(
    Millis('CLOUDO_ACI_START_TIMEOUT_MS', 1_000, 3_600_000).default(600_000),
    'longest a group may take to start (image pull, capacity) before its run ends in error',
  ),
} satisfies EnvShape;

export interface AttachableRunbookIdentity {
  readonly clientId: string;
  readonly resourceId: string;
}

/** Where and as whom container groups are managed: null when this deployment has no isolated runs. */
export interface ContainerGroupsSettings {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly clientId: string | null;
  readonly armUrl: string;
  readonly orphanGraceMs: number;
}

export interface IsolatedRunsSettings extends ContainerGroupsSettings {
  readonly location: string;
  readonly image: string;
  readonly registryIdentity: string | null;
  readonly subnetId: string | null;
  /** By name of `runbook_identities`, and `default`. */
  readonly identities: Readonly<Record<string, AttachableRunbookIdentity>>;
  readonly pollMs: number;
  readonly startTimeoutMs: number;
}

type GroupsValues = z.output<z.ZodObject<typeof ContainerGroupsEnv>>;
type IsolatedValues = z.output<z.ZodObject<typeof IsolatedRunsEnv>>;

export function containerGroupsSettings(v: GroupsValues): ContainerGroupsSettings | null {
  if (v.CLOUDO_ACI_RESOURCE_GROUP_ID === undefined) return null;
  const [, , subscriptionId = '', , resourceGroup = ''] = v.CLOUDO_ACI_RESOURCE_GROUP_ID.split('/');
  return {
    subscriptionId,
    resourceGroup,
    clientId: v.CLOUDO_ACI_CLIENT_ID ?? null,
    armUrl: v.CLOUDO_ACI_ARM_URL.replace(/\/+$/, ''),
    orphanGraceMs: v.CLOUDO_ACI_ORPHAN_GRACE_MS,
  };
}

export function isolatedRunsSettings(v: IsolatedValues, problems: string[]): IsolatedRunsSettings | null {
  const groups = containerGroupsSettings(v);
  if (!groups) return null;
  const missing = (['CLOUDO_ACI_LOCATION', 'CLOUDO_ACI_IMAGE'] as const).filter((name) => v[name] === undefined);
  if (missing.length > 0) {
    problems.push(`CLOUDO_ACI_RESOURCE_GROUP_ID needs ${missing.join(' and ')}: where and what the groups run`);
    return null;
  }
  const identities = Object.fromEntries(
    Object.entries(v.CLOUDO_ACI_IDENTITIES ?? {}).map(([name, i]) => [
      name,
      { clientId: i.client_id.toLowerCase(), resourceId: i.resource_id },
    ]),
  );
  return {
    ...groups,
    location: v.CLOUDO_ACI_LOCATION ?? '',
    image: v.CLOUDO_ACI_IMAGE ?? '',
    registryIdentity: v.CLOUDO_ACI_REGISTRY_IDENTITY ?? null,
    subnetId: v.CLOUDO_ACI_SUBNET_ID ?? null,
    identities,
    pollMs: v.CLOUDO_ACI_POLL_MS,
    startTimeoutMs: v.CLOUDO_ACI_START_TIMEOUT_MS,
  };
}

/**
 * The identity a container group of a run gets: the schema's (a name, or a client id found among the
 * attachable ones), or `default`. `{ error }` when the deployment cannot attach it.
 */
export function attachableIdentity(
  identity: string | null,
  identities: Readonly<Record<string, AttachableRunbookIdentity>>,
): AttachableRunbookIdentity | null | { error: string } {
  if (identity === null) return identities.default ?? null;
  const found = Guid.test(identity)
    ? Object.values(identities).find((i) => i.clientId === identity.toLowerCase())
    : identities[identity];
  if (found) return found;
  return {
    error:
      `identity "${identity}" cannot be attached to a container group: CLOUDO_ACI_IDENTITIES does not list it ` +
      '(the Terraform module lists every runbook_identities entry and the default one)',
  };
}
