import type { AppSettings } from './settings.js';
import type { StorageConnection } from './storage-settings.js';

const MASK = '***';

/** A connection string with its key or SAS hidden; endpoints and account stay readable. */
export function maskConnectionString(connectionString: string): string {
  return connectionString
    .split(';')
    .map((part) => {
      const [key] = part.split('=', 1);
      return key && /^(AccountKey|SharedAccessSignature)$/i.test(key.trim()) ? `${key}=${MASK}` : part;
    })
    .join(';');
}

function describeConnection(connection: StorageConnection) {
  return connection.kind === 'connection-string'
    ? { kind: connection.kind, connectionString: maskConnectionString(connection.connectionString) }
    : connection;
}

/**
 * The app's effective settings as an admin may see them: every secret replaced by whether it is set.
 * Written field by field on purpose, so a secret added to the settings later is not shown by default.
 */
export function describeSettings(settings: AppSettings) {
  const { auth } = settings;
  return {
    storage: { connection: describeConnection(settings.storage.connection), namespace: settings.storage.namespace },
    max_body_bytes: settings.maxBodyBytes,
    live_log_streams: {
      per_caller: settings.liveLogStreams.perCaller,
      total: settings.liveLogStreams.total,
    },
    stale_worker_ms: settings.staleWorkerMs,
    retention: {
      run_days: settings.retention.runDays,
      audit_days: settings.retention.auditDays,
      dead_worker_ms: settings.retention.deadWorkerMs,
      batch_size: settings.retention.batchSize,
    },
    notify: {
      slack: settings.notify.slack
        ? {
            token: `${MASK} (set)`,
            api_url: settings.notify.slack.apiUrl,
            default_channel: settings.notify.slack.defaultChannel,
            signing_secret: settings.notify.slack.signingSecret ? `${MASK} (set: Approve/Reject buttons)` : 'not set',
          }
        : 'not configured',
      opsgenie: settings.notify.opsgenie
        ? { api_key: `${MASK} (set)`, api_url: settings.notify.opsgenie.apiUrl }
        : 'not configured',
      pagerduty: settings.notify.pagerduty
        ? { routing_key: `${MASK} (set)`, events_url: settings.notify.pagerduty.eventsUrl }
        : 'not configured',
      // by setting name (`SLACK_TOKEN_<key>`): what an admin compares with the app settings
      teams: Object.fromEntries(
        [...settings.notify.teams].map(([key, team]) => [
          key,
          {
            slack_token: team.slack ? `${MASK} (set)` : 'not set: the default token',
            slack_channel: team.slackChannel ?? 'not set: as routed',
            opsgenie_api_key: team.opsgenie ? `${MASK} (set)` : 'not set: the default key',
            ...(team.opsgenie ? { opsgenie_api_url: team.opsgenie.apiUrl } : {}),
          },
        ]),
      ),
      public_url: settings.notify.publicUrl,
      routing_rules: settings.notify.routing.rules.length,
    },
    auth: {
      environment: auth.environment,
      enforce: auth.enforce,
      trust_easy_auth: auth.trustEasyAuth,
      webhook: auth.webhook,
      signing_key: auth.signingKey ? `${MASK} (set)` : 'not set',
      cors_origins: auth.corsOrigins,
      // fingerprints, not keys: what an admin compares with `cloudo keys fingerprints`
      function_key_names: Object.fromEntries(auth.functionKeyNames),
    },
  };
}
