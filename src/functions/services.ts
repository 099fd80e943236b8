import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Authenticator, createEntraTokenVerifier } from '../auth/index.js';
import type { ContainerGroups } from '../containers/index.js';
import { createContainerGroups } from '../containers/index.js';
import type { Notifier } from '../core/notification.js';
import { DEFAULT_SLACK_CHANNEL } from '../core/routing-rules.js';
import type { AppSettings } from '../core/settings.js';
import { loadAppSettings } from '../core/settings.js';
import { OpsgenieNotifier, PagerDutyNotifier, SlackNotifier, SlackUserDirectory } from '../notify/index.js';
import type { Target, TeamNotifiers } from '../oncall/index.js';
import type { WakeWorkers } from '../runs/index.js';
import { NO_WAKE, WorkerWake } from '../runs/index.js';
import type { OidcIssuer } from '../signing/index.js';
import { createOidcIssuer } from '../signing/index.js';
import type { Storage, StorageRetry } from '../storage/index.js';
import { createStorage, lazyDefaultCredential, WorkerPresence } from '../storage/index.js';
import { DeployedSchemas } from './deployed-schemas.js';
import type { LiveLogTiming } from './http/live-log-streams.js';
import { DEFAULT_LIVE_LOG_TIMING, LiveLogStreams } from './http/live-log-streams.js';

/** What the functions need at run time; built once per process (or per test). */
export interface AppServices {
  readonly settings: AppSettings;
  readonly storage: Storage;
  readonly auth: Authenticator;
  /** The configured notification targets (a target without its secret is absent). */
  readonly notifiers: Partial<Record<Target, Notifier>>;
  /** Teams' own notifiers (`SLACK_TOKEN_<TEAM>`, `OPSGENIE_API_KEY_<TEAM>`) and channels, by setting key. */
  readonly teamNotifiers: TeamNotifiers;
  /**
   * Who clicked a button in Slack, by e-mail (`users.info`); present only with Slack interactivity on
   * (`SLACK_SIGNING_SECRET` and `SLACK_TOKEN`).
   */
  readonly slackUsers: Pick<SlackUserDirectory, 'emailOf'> | null;
  /** The deployment's own schemas (`CLOUDO_SCHEMAS_JSON`), imported at start and by Housekeeping. */
  readonly deployedSchemas: DeployedSchemas;
  /**
   * Signs the run page's decision forms: `CLOUDO_SIGNING_KEY`, or a key of this process where none is
   * set (development only; production refuses to start without one).
   */
  readonly formKey: string;
  /** The live-log streams this process serves: their caps, and one storage poller per followed run. */
  readonly liveLogs: LiveLogStreams;
  /** Whether a live worker serves a capability: Trigger warns when none does. */
  readonly workerPresence: WorkerPresence;
  /** Nudges a live worker to poll once a run is queued for it (`CLOUDO_WAKE_KEY`; NO_WAKE without). */
  readonly wake: WakeWorkers;
  /** ClouDO as an OIDC issuer (run tokens, discovery, JWKS); null when no issuer URL is set or derivable. */
  readonly oidc: OidcIssuer | null;
  /** Isolated runs' container groups, for Housekeeping's sweep of orphans; null: this deployment has none. */
  readonly containerGroups: ContainerGroups | null;
}

/** What tests and benchmarks tune beyond the settings. */
export interface AppServicesTuning {
  /** Poll interval and longest duration of live-log streams (default DEFAULT_LIVE_LOG_TIMING). */
  readonly liveLogTiming?: Partial<LiveLogTiming>;
  /** How storage calls retry (default `prompt`; the outage bench compares it with the SDKs' `patient`). */
  readonly storageRetry?: StorageRetry;
  /** The container groups ARM holds (tests: the adapter against a loopback fake); default from the settings. */
  readonly containerGroups?: ContainerGroups | null;
}

/** Handlers get services through this, so definitions can be built before settings are read. */
export type ServicesProvider = () => AppServices;

export function createAppServices(settings: AppSettings, tuning: AppServicesTuning = {}): AppServices {
  // a person or Azure Monitor waits on every answer: storage trouble gives a prompt 503, not a 30 s wait
  const storage = createStorage(settings.storage, tuning.storageRetry ?? 'prompt');
  const { webhook } = settings.auth;
  const auth = new Authenticator({
    settings: settings.auth,
    tokens: storage.tokens,
    webhookVerifier: webhook
      ? createEntraTokenVerifier({
          tenantId: webhook.tenantId,
          audiences: webhook.audiences,
          jwksUri: webhook.jwksUri ?? undefined,
          allowedAppIds: webhook.allowedAppIds,
        })
      : null,
    onError: (message, err) => console.error(message, err),
  });
  const { slack, opsgenie, pagerduty } = settings.notify;
  const notifiers: Partial<Record<Target, Notifier>> = {
    ...(slack
      ? {
          slack: new SlackNotifier({
            token: slack.token,
            apiUrl: slack.apiUrl,
            defaultChannel: slack.defaultChannel,
            interactive: slack.signingSecret !== null,
          }),
        }
      : {}),
    ...(opsgenie ? { opsgenie: new OpsgenieNotifier({ apiKey: opsgenie.apiKey, apiUrl: opsgenie.apiUrl }) } : {}),
    ...(pagerduty
      ? { pagerduty: new PagerDutyNotifier({ routingKey: pagerduty.routingKey, eventsUrl: pagerduty.eventsUrl }) }
      : {}),
  };
  const teamNotifiers: TeamNotifiers = new Map(
    [...settings.notify.teams].map(([key, team]) => [
      key,
      {
        notifiers: {
          ...(team.slack
            ? {
                slack: new SlackNotifier({
                  token: team.slack.token,
                  apiUrl: team.slack.apiUrl,
                  defaultChannel: team.slackChannel ?? slack?.defaultChannel ?? DEFAULT_SLACK_CHANNEL,
                  // the buttons' clicks are checked against the default app's signing secret and users
                  interactive: false,
                }),
              }
            : {}),
          ...(team.opsgenie ? { opsgenie: new OpsgenieNotifier(team.opsgenie) } : {}),
        },
        slackChannel: team.slackChannel,
      },
    ]),
  );
  // one cache of Table Workers: Trigger's warning and the nudges' addresses
  const workerPresence = new WorkerPresence(storage.workers, settings.staleWorkerMs);
  // settings that work, but not as their author probably meant; said once, when the process starts
  for (const warning of settings.notify.warnings) console.warn(`settings: ${warning}`);
  return {
    settings,
    storage,
    auth,
    notifiers,
    teamNotifiers,
    slackUsers: slack?.signingSecret ? new SlackUserDirectory({ token: slack.token, apiUrl: slack.apiUrl }) : null,
    deployedSchemas: new DeployedSchemas({ settings, storage }),
    formKey: settings.auth.signingKey ?? randomBytes(32).toString('base64url'),
    liveLogs: new LiveLogStreams({
      storage,
      ...settings.liveLogStreams,
      ...DEFAULT_LIVE_LOG_TIMING,
      ...tuning.liveLogTiming,
    }),
    workerPresence,
    wake: settings.wakeKey
      ? new WorkerWake({ key: settings.wakeKey, urls: (capability) => workerPresence.wakeUrls(capability) })
      : NO_WAKE,
    containerGroups:
      tuning.containerGroups !== undefined
        ? tuning.containerGroups
        : settings.containerGroups && createContainerGroups(settings.containerGroups),
    oidc: createOidcIssuer(settings.oidc, {
      // the identity storage is reached with (a user-assigned one when named), loaded only for a Key Vault key
      credential: lazyDefaultCredential(
        settings.storage.connection.kind === 'identity' ? settings.storage.connection.clientId : null,
      ),
      onError: (message, err) => console.error(message, err),
    }),
  };
}

/** For the Azure entry: settings are read on first use, once, and a bad one fails every call loudly. */
export function lazyServices(env: Readonly<Record<string, string | undefined>>): ServicesProvider {
  let services: AppServices | undefined;
  return () => {
    services ??= createAppServices(loadAppSettings(env, (path) => readFileSync(path, 'utf8')));
    return services;
  };
}
