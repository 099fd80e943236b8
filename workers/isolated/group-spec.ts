import type { ContainerGroupSpec } from '../../src/containers/index.js';
import type { Run } from '../../src/core/execution.js';
import { containerGroupName, DEFAULT_RESOURCES, GROUP_TAGS } from '../../src/core/isolation.js';
import type { AttachableRunbookIdentity, IsolatedRunsSettings } from '../../src/core/isolation-settings.js';
import { SETTINGS_PASSED_TO_ONE_SHOT } from '../../src/core/one-shot-settings.js';

/**
 * The worker image's own entrypoint (tini, then node), in one-shot mode: ACI's `command` replaces the
 * image's ENTRYPOINT, so it is spelled out whole (workers/Dockerfile).
 */
export function oneShotCommand(execId: string): string[] {
  return ['/usr/bin/tini', '--', '/usr/local/libexec/cloudo/node', 'dist/workers/main.js', '--exec', execId];
}

/** What the group's process gets as its worker has it: the one-shot's settings, and what runbooks inherit. */
const PLAIN_WORKER_SETTINGS = [...SETTINGS_PASSED_TO_ONE_SHOT, 'AZURE_SUBSCRIPTION_ID', 'TZ'] as const;

export interface GroupSpecInput {
  readonly run: Run;
  readonly settings: IsolatedRunsSettings;
  readonly identity: AttachableRunbookIdentity | null;
  readonly workerName: string;
  readonly workerEnv: Readonly<Record<string, string | undefined>>;
  /** Names of worker variables runbooks inherit (CLOUDO_RUNBOOK_ENV_PASSTHROUGH): passed as secrets. */
  readonly passthrough: readonly string[];
  readonly appUrl: string;
  readonly capability: string;
  readonly logUrl: string;
  readonly createdAt: Date;
}

const defined = (entries: [string, string | undefined][]) =>
  Object.fromEntries(entries.filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));

/** The container group of one isolated run: the worker image, the run's identity, its size, no public IP. */
export function groupSpecFor(input: GroupSpecInput): ContainerGroupSpec {
  const { run, settings, identity, workerEnv } = input;
  const resources = run.resources ?? DEFAULT_RESOURCES;
  const imageHost = settings.image.split('/')[0] ?? '';
  return {
    name: containerGroupName(run.execId),
    location: settings.location,
    image: settings.image,
    command: oneShotCommand(run.execId),
    environment: {
      ...defined(PLAIN_WORKER_SETTINGS.map((name) => [name, workerEnv[name]])),
      CLOUDO_WORKER: input.workerName,
      CLOUDO_APP_URL: input.appUrl,
      ...(identity
        ? defined([
            ['AZURE_CLIENT_ID', identity.clientId],
            ['AZURE_TENANT_ID', workerEnv.AZURE_TENANT_ID],
            ['AZURE_AUTHORITY_HOST', workerEnv.AZURE_AUTHORITY_HOST],
          ])
        : {}),
    },
    secureEnvironment: {
      ...defined(input.passthrough.map((name) => [name, workerEnv[name]])),
      ...defined([['CLOUDO_GITHUB_TOKEN', workerEnv.CLOUDO_GITHUB_TOKEN]]),
      CLOUDO_RUN_CAPABILITY: input.capability,
      CLOUDO_LOG_URL: input.logUrl,
    },
    cpu: resources.cpu,
    memoryGb: resources.memoryGb,
    identityResourceIds: identity ? [identity.resourceId] : [],
    subnetId: settings.subnetId,
    // a registry host has a dot or a port; `ubuntu:22.04` is Docker Hub's
    registry:
      settings.registryIdentity && /[.:]/.test(imageHost)
        ? { server: imageHost, identityResourceId: settings.registryIdentity }
        : null,
    tags: {
      [GROUP_TAGS.execId]: run.execId,
      [GROUP_TAGS.createdAt]: input.createdAt.toISOString(),
      [GROUP_TAGS.timeoutMs]: String(run.timeoutMs),
    },
  };
}
