import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HttpRequestInit, HttpResponseInit } from '@azure/functions';
import type { ContainerGroups } from '../../src/containers/index.js';
import type { Role } from '../../src/core/access.js';
import { issueApiToken } from '../../src/core/api-token.js';
import type { AuthSettings } from '../../src/core/auth-settings.js';
import type { ContainerGroupsSettings } from '../../src/core/isolation-settings.js';
import type { NotifySettings } from '../../src/core/notify-settings.js';
import type { OidcSettings } from '../../src/core/oidc-settings.js';
import type { AppSettings, RetentionSettings } from '../../src/core/settings.js';
import { loadAppSettings } from '../../src/core/settings.js';
import { HttpRequest, HttpResponse, InvocationContext } from '../../src/functions/azure-runtime.js';
import type { HttpFunctionDefinition, QueueFunctionDefinition } from '../../src/functions/definitions.js';
import type { LiveLogTiming } from '../../src/functions/http/live-log-streams.js';
import type { ServicesProvider } from '../../src/functions/services.js';
import { createAppServices } from '../../src/functions/services.js';
import type { TestStorage } from './storage.js';

const SIGNING_KEY = 'test-signing-key-0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * The app's settings as production reads them from an environment that sets only what a test needs:
 * every other value is the code's own default, never a copy of it.
 */
const DEFAULTS = loadAppSettings({
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  CLOUDO_SIGNING_KEY: SIGNING_KEY,
  CLOUDO_PUBLIC_URL: 'http://cloudo.test',
});

/** Production access rules: tests run secured. */
export const SECURED: AuthSettings = DEFAULTS.auth;

export interface TestServicesOptions {
  maxBodyBytes?: number;
  auth?: Partial<AuthSettings>;
  staleWorkerMs?: number;
  queuedTimeoutMs?: number;
  orphanAfterMs?: number;
  notify?: NotifySettings;
  deployedSchemas?: AppSettings['deployedSchemas'];
  /** Caps of live-log streams (default: the settings' defaults, 10 per caller, 200 in all). */
  liveLogStreams?: AppSettings['liveLogStreams'];
  /** How often live logs are polled and how long a stream lasts (default: production's). */
  liveLogTiming?: Partial<LiveLogTiming>;
  retention?: Partial<RetentionSettings>;
  /** The AKS integration's clusters (CLOUDO_AKS_CLUSTERS; default none). */
  aksClusters?: string[];
  /** CLOUDO_WAKE_KEY: queued runs nudge their workers (default none, as the settings' default). */
  wakeKey?: string;
  /** ClouDO as an OIDC issuer (default: no issuer, as `http://cloudo.test` cannot be one; a key file of this process). */
  oidc?: Partial<OidcSettings>;
  /** Where isolated runs' groups are, and ARM (the adapter against a loopback fake); default none. */
  containerGroups?: { settings: ContainerGroupsSettings; groups: ContainerGroups };
}

/** The signing key file of this test process: never the repository's `.cloudo/`. */
const TEST_OIDC_KEY_FILE = path.join(tmpdir(), `cloudo-test-oidc-${process.pid}`, 'oidc-signing-keys.json');

export function testServices(t: TestStorage, options: TestServicesOptions = {}): ServicesProvider {
  const services = createAppServices(
    {
      ...DEFAULTS,
      storage: t.settings,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
      auth: { ...SECURED, ...options.auth },
      staleWorkerMs: options.staleWorkerMs ?? DEFAULTS.staleWorkerMs,
      queuedTimeoutMs: options.queuedTimeoutMs ?? DEFAULTS.queuedTimeoutMs,
      orphanAfterMs: options.orphanAfterMs ?? DEFAULTS.orphanAfterMs,
      notify: options.notify ?? DEFAULTS.notify,
      deployedSchemas: options.deployedSchemas ?? null,
      liveLogStreams: options.liveLogStreams ?? DEFAULTS.liveLogStreams,
      retention: { ...DEFAULTS.retention, ...options.retention },
      aksClusters: options.aksClusters ?? DEFAULTS.aksClusters,
      wakeKey: options.wakeKey ?? DEFAULTS.wakeKey,
      oidc: { ...DEFAULTS.oidc, key: { kind: 'file', path: TEST_OIDC_KEY_FILE }, ...options.oidc },
      containerGroups: options.containerGroups?.settings ?? null,
    },
    { liveLogTiming: options.liveLogTiming, containerGroups: options.containerGroups?.groups ?? null },
  );
  return () => services;
}

/** Issues an API token with `role` in the test's storage; returns the Authorization header value. */
export async function bearerFor(t: TestStorage, role: Role, owner = `${role}-tester`): Promise<string> {
  const { token, record } = issueApiToken({ role, owner, expiresAt: null });
  await t.storage.tokens.create(record);
  return `Bearer ${token}`;
}

export interface CalledResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
  /** Logged by the function through its InvocationContext. */
  readonly logs: string[];
}

/** Calls a function definition's handler the way the host does, with a directly built request. */
export async function callHttp(definition: HttpFunctionDefinition, init: HttpRequestInit): Promise<CalledResponse> {
  const logs: string[] = [];
  const context = new InvocationContext({
    invocationId: 'test-invocation',
    functionName: definition.name,
    logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(' ')}`),
  });
  const result = await definition.options.handler(new HttpRequest({ method: 'GET', ...init }), context);
  const response = result instanceof HttpResponse ? result : new HttpResponse((result ?? {}) as HttpResponseInit);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json, logs };
}

/** Hands a queue function one message as the Functions host does, on its `dequeueCount`-th delivery. */
export function deliverMessage(definition: QueueFunctionDefinition, message: unknown, dequeueCount = 1): Promise<void> {
  return definition.handler(
    message,
    new InvocationContext({
      functionName: definition.name,
      triggerMetadata: { dequeueCount },
      logHandler: () => undefined,
    }),
  );
}
