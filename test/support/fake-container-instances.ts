import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { ContainerGroupsSettings } from '../../src/core/isolation-settings.js';
import type { ArmGroupBody, Launch, LaunchedGroup } from './fake-aci-group.js';
import { FakeAciGroup } from './fake-aci-group.js';
import type { FakeManagedIdentity } from './fake-managed-identity.js';
import { startManagedIdentityEndpoint } from './fake-managed-identity.js';
import { listenOnLoopback } from './fake-server.js';
import { loopbackCertificate } from './loopback-certificate.js';

export type { Launch, LaunchedGroup } from './fake-aci-group.js';
export type { FakeManagedIdentity } from './fake-managed-identity.js';

/** The api-version @azure/arm-containerinstance 9.1.0 sends; the fake answers no other. */
export const FAKE_ARM_API_VERSION = '2023-05-01';
/** The bearer token the fake accepts. */
export const FAKE_ARM_TOKEN = 'fake-arm-access-token';

/** A TokenCredential for the fake: a static token, never expiring during a test. */
export const fakeArmCredential = {
  getToken: async () => ({ token: FAKE_ARM_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }),
};

/**
 * A managed-identity endpoint (IDENTITY_ENDPOINT + IDENTITY_HEADER) handing out the fake's token: what a
 * worker process with `DefaultAzureCredential` needs to reach the fake (trusting `caFile` by NODE_EXTRA_CA_CERTS).
 */
export function startFakeManagedIdentity(accessToken = FAKE_ARM_TOKEN): Promise<FakeManagedIdentity> {
  return startManagedIdentityEndpoint(accessToken);
}

/** The fake's operations, as faults and the request log name them. */
export type FakeArmOp = 'create' | 'get' | 'delete' | 'list' | 'logs' | 'operation';

export interface FakeArmRequest {
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  readonly op: FakeArmOp | null;
  /** When it arrived (Date.now()). */
  readonly atMs: number;
  /** What the fake answered. */
  status: number;
}

export interface FakeGroupView {
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  /** The PUT body as ARM received it (`{ location, tags, identity, properties }`). */
  readonly spec: ArmGroupBody;
  readonly isRunning: boolean;
  /** How many times its container was started: a repeated PUT must not start another. */
  readonly launches: number;
}

export interface FakeContainerInstances {
  /** `https://127.0.0.1:<port>`: the adapter's `armUrl`. */
  readonly url: string;
  /** PEM of the self-signed certificate, for the SDK's `tlsOptions.ca`. */
  readonly ca: string;
  /** The same certificate as a file, for NODE_EXTRA_CA_CERTS in a child process. */
  readonly caFile: string;
  /** Settings pointing at the fake: its subscription, resource group and URL. */
  readonly settings: ContainerGroupsSettings;
  /** Every request, in order. */
  readonly requests: FakeArmRequest[];
  /** How long a new group's container takes to start (pending meanwhile), ms; default 0. */
  startDelayMs: number;
  /** The next `times` requests of `op` answer 429 with `Retry-After: retryAfterSeconds`. */
  throttle(op: FakeArmOp, times: number, retryAfterSeconds: number): void;
  /** The next `times` requests of `op` answer 409 AnotherOperationInProgress with `Retry-After`. */
  conflict(op: FakeArmOp, times: number, retryAfterSeconds: number): void;
  /** The next create is refused as ACI refuses a group over the subscription's quota (400 ContainerGroupQuotaReached). */
  quotaExceeded(message?: string): void;
  /** Groups with this image never pull it: Failed/BackOff events, then (after `giveUpMs`) a failed deployment. */
  imagePullFails(image: string, giveUpMs?: number): void;
  /** The image can be pulled again. */
  imagePullWorks(image: string): void;
  /** Deletes of this group are refused, as ARM refuses a caller without the right (403 AuthorizationFailed). */
  refuseDelete(name: string): void;
  groups(): FakeGroupView[];
  close(): Promise<void>;
}

export interface FakeContainerInstancesOptions {
  /** Starts a group's container; `spawnCommand` runs the group's command as a local process. */
  readonly launch?: Launch;
  readonly subscriptionId?: string;
  readonly resourceGroup?: string;
}

/** Runs the group's command locally, `detached` (its own process group), with only PATH and the group's env. */
export const spawnCommand: Launch = (group: LaunchedGroup) => {
  const [file = 'false', ...args] = group.command;
  return spawn(file, args, {
    detached: true,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...group.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
};

const PROVIDER = 'providers/Microsoft\\.ContainerInstance';
const ROUTES: readonly [FakeArmOp | 'group', RegExp][] = [
  ['list', new RegExp(`^/subscriptions/([^/]+)/resourceGroups/([^/]+)/${PROVIDER}/containerGroups$`, 'i')],
  ['group', new RegExp(`^/subscriptions/([^/]+)/resourceGroups/([^/]+)/${PROVIDER}/containerGroups/([^/]+)$`, 'i')],
  [
    'logs',
    new RegExp(
      `^/subscriptions/([^/]+)/resourceGroups/([^/]+)/${PROVIDER}/containerGroups/([^/]+)/containers/([^/]+)/logs$`,
      'i',
    ),
  ],
  [
    'operation',
    new RegExp(`^/subscriptions/([^/]+)/resourceGroups/([^/]+)/${PROVIDER}/locations/([^/]+)/operations/([^/]+)$`, 'i'),
  ],
];

/**
 * The ARM ContainerInstance API (api-version 2023-05-01) on loopback over TLS, in the shapes the SDK reads:
 * PUT answers 201 with `Azure-AsyncOperation` (200 for a group that exists, which is not started again), the
 * operation reads InProgress until the container runs, GET answers the group with its instance views, DELETE
 * kills the container's process group and answers 200 (204 when there is none), as the REST spec lists.
 * Refusals carry ARM's `{ error: { code, message } }`; the validation ones (one container, restart Never, no
 * public IP) are the fake's guard rails for ClouDO's body, not ACI's exact wording.
 */
export async function startFakeContainerInstances(
  options: FakeContainerInstancesOptions = {},
): Promise<FakeContainerInstances> {
  const subscriptionId = options.subscriptionId ?? '00000000-0000-0000-0000-00000000a11c';
  const resourceGroup = options.resourceGroup ?? 'rg-cloudo-runs';
  const launch = options.launch ?? spawnCommand;
  const certificate = loopbackCertificate('cloudo-fake-aci-');
  const ca = readFileSync(certificate.certFile, 'utf8');
  const groups = new Map<string, FakeAciGroup>();
  const requests: FakeArmRequest[] = [];
  const faults = new Map<FakeArmOp, { status: 429 | 409; retryAfterSeconds: number }[]>();
  const failingImages = new Map<string, number>();
  const undeletable = new Set<string>();
  let quotaMessage: string | null = null;
  let url = '';
  const fake = { startDelayMs: 0 };

  const groupId = (name: string) =>
    `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ContainerInstance/containerGroups/${name}`;
  const addFaults = (op: FakeArmOp, times: number, status: 429 | 409, retryAfterSeconds: number) => {
    const list = faults.get(op) ?? [];
    for (let i = 0; i < times; i++) list.push({ status, retryAfterSeconds });
    faults.set(op, list);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'https://127.0.0.1');
    const method = req.method ?? 'GET';
    const route = ROUTES.find(([, pattern]) => pattern.test(u.pathname));
    const match = route ? (route[1].exec(u.pathname) ?? []) : [];
    const op: FakeArmOp | null = !route
      ? null
      : route[0] !== 'group'
        ? route[0]
        : (({ PUT: 'create', GET: 'get', DELETE: 'delete' } as const)[method as 'PUT'] ?? null);
    const record: FakeArmRequest = { method, path: u.pathname, op, atMs: Date.now(), status: 0 };
    requests.push(record);
    const body = await readBody(req);
    const send = (status: number, json?: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(json === undefined ? undefined : JSON.stringify(json));
    };
    const refuse = (status: number, code: string, message: string, headers?: Record<string, string>) =>
      send(status, { error: { code, message } }, headers);

    if (req.headers.authorization !== `Bearer ${FAKE_ARM_TOKEN}`) {
      return refuse(
        401,
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is missing or invalid.",
      );
    }
    if (u.searchParams.get('api-version') !== FAKE_ARM_API_VERSION) {
      return refuse(
        400,
        'InvalidApiVersionParameter',
        `The api-version '${u.searchParams.get('api-version')}' is invalid.`,
      );
    }
    if (!op) return refuse(404, 'NotFound', `No route for ${method} ${u.pathname}`);
    if (match[1] !== subscriptionId || match[2]?.toLowerCase() !== resourceGroup.toLowerCase()) {
      return refuse(404, 'ResourceGroupNotFound', `Resource group '${match[2]}' could not be found.`);
    }
    const fault = faults.get(op)?.shift();
    if (fault?.status === 429) {
      return refuse(
        429,
        'SubscriptionRequestsThrottled',
        `Number of requests for subscription '${subscriptionId}' exceeded the limit. Please try again after '${fault.retryAfterSeconds}' seconds.`,
        { 'retry-after': String(fault.retryAfterSeconds) },
      );
    }
    if (fault?.status === 409) {
      return refuse(
        409,
        'AnotherOperationInProgress',
        'Another operation on this or dependent resource is in progress. Retry the request after the operation completes.',
        { 'retry-after': String(fault.retryAfterSeconds) },
      );
    }
    const name = match[3] ?? '';
    const group = groups.get(name.toLowerCase());
    const notFound = () =>
      refuse(
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.ContainerInstance/containerGroups/${name}' under resource group '${resourceGroup}' was not found.`,
      );
    const operationUrl = (g: FakeAciGroup) =>
      `${url}/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ContainerInstance/locations/${g.spec.location}/operations/${g.operation.id}?api-version=${FAKE_ARM_API_VERSION}`;

    switch (op) {
      case 'list':
        return send(200, { value: [...groups.values()].map((g) => g.toArm(groupId(g.name))) });
      case 'get':
        return group ? send(200, group.toArm(groupId(group.name))) : notFound();
      case 'logs': {
        if (!group) return notFound();
        const tail = u.searchParams.get('tail');
        return send(200, { content: group.logs(tail === null ? null : Number(tail)) });
      }
      case 'operation': {
        const g = [...groups.values()].find((candidate) => candidate.operation.id === match[4]);
        if (!g) return refuse(404, 'OperationNotFound', `Operation '${match[4]}' was not found.`);
        return send(200, { name: g.operation.id, ...g.operation, id: new URL(operationUrl(g)).pathname });
      }
      case 'delete': {
        if (undeletable.has(name.toLowerCase())) {
          return refuse(
            403,
            'AuthorizationFailed',
            `The client does not have authorization to perform action 'Microsoft.ContainerInstance/containerGroups/delete' over scope '${groupId(name)}'.`,
          );
        }
        if (!group) return send(204);
        await group.stop();
        groups.delete(name.toLowerCase());
        return send(200, group.toArm(groupId(group.name)));
      }
      case 'create': {
        const spec = parseGroup(body);
        const problem = spec ? specProblem(spec) : 'the body is not a container group';
        if (problem || !spec)
          return refuse(400, 'InvalidRequestContent', `The request content was invalid: ${problem}`);
        if (group) return send(200, group.toArm(groupId(group.name)), { 'azure-asyncoperation': operationUrl(group) });
        if (quotaMessage !== null) {
          const message = quotaMessage;
          quotaMessage = null;
          return refuse(400, 'ContainerGroupQuotaReached', message);
        }
        const launched = toLaunched(name, spec);
        const created = new FakeAciGroup(name, spec, launched, randomUUID());
        groups.set(name.toLowerCase(), created);
        const giveUpMs = failingImages.get(launched.image);
        created.start({
          launch,
          startDelayMs: fake.startDelayMs,
          pullFails: giveUpMs === undefined ? null : { giveUpMs },
        });
        return send(201, created.toArm(groupId(name)), { 'azure-asyncoperation': operationUrl(created) });
      }
    }
  };

  const server = createServer(
    { key: readFileSync(certificate.keyFile), cert: ca },
    (req, res) => void handle(req, res).catch((err: unknown) => res.writeHead(500).end(String(err))),
  );
  const listening = await listenOnLoopback(server);
  url = `https://127.0.0.1:${listening.port}`;
  return Object.assign(fake, {
    url,
    ca,
    caFile: certificate.certFile,
    settings: { subscriptionId, resourceGroup, clientId: null, armUrl: url, orphanGraceMs: 0 },
    requests,
    throttle: (op: FakeArmOp, times: number, retryAfterSeconds: number) => addFaults(op, times, 429, retryAfterSeconds),
    conflict: (op: FakeArmOp, times: number, retryAfterSeconds: number) => addFaults(op, times, 409, retryAfterSeconds),
    quotaExceeded(message?: string) {
      quotaMessage =
        message ??
        "Resource type 'Microsoft.ContainerInstance/containerGroups' container group quota 'StandardCores' exceeded in region 'westeurope'. Limit: '10', Usage: '10' Requested: '1'.";
    },
    imagePullFails(image: string, giveUpMs = 0) {
      failingImages.set(image, giveUpMs);
    },
    imagePullWorks(image: string) {
      failingImages.delete(image);
    },
    refuseDelete(name: string) {
      undeletable.add(name.toLowerCase());
    },
    groups: () =>
      [...groups.values()].map((g) => ({
        name: g.name,
        tags: g.spec.tags ?? {},
        spec: g.spec,
        isRunning: g.isRunning,
        launches: g.launches,
      })),
    async close() {
      await Promise.all([...groups.values()].map((g) => g.stop()));
      await listening.close();
      rmSync(certificate.dir, { recursive: true, force: true });
    },
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (c: Buffer) => {
      text += c.toString('utf8');
    });
    req.on('end', () => resolve(text));
  });
}

function parseGroup(body: string): ArmGroupBody | null {
  try {
    const value = JSON.parse(body) as ArmGroupBody;
    return typeof value === 'object' && value !== null && Array.isArray(value.properties?.containers) ? value : null;
  } catch {
    return null;
  }
}

/** Why ClouDO must never send this group: what an isolated run's group may not be. */
function specProblem(spec: ArmGroupBody): string | null {
  const { properties } = spec;
  if (!spec.location) return 'location is required';
  if (properties.osType !== 'Linux') return 'osType must be Linux';
  if (properties.containers.length !== 1) return `a run's group has one container, not ${properties.containers.length}`;
  if (properties.restartPolicy !== 'Never') return `restartPolicy must be Never, not ${properties.restartPolicy}`;
  if (properties.ipAddress?.type?.toLowerCase() === 'public') return 'a public IP address is not allowed';
  if (!properties.containers[0]?.properties.resources?.requests) return 'resources.requests is required';
  return null;
}

function toLaunched(name: string, spec: ArmGroupBody): LaunchedGroup {
  const container = spec.properties.containers[0];
  const env: Record<string, string> = {};
  for (const v of container?.properties.environmentVariables ?? []) env[v.name] = v.secureValue ?? v.value ?? '';
  return {
    name,
    command: container?.properties.command ?? [],
    env,
    image: container?.properties.image ?? '',
    identityIds: Object.keys(spec.identity?.userAssignedIdentities ?? {}),
    cpu: container?.properties.resources?.requests?.cpu ?? 0,
    memoryGb: container?.properties.resources?.requests?.memoryInGB ?? 0,
    tags: spec.tags ?? {},
  };
}
