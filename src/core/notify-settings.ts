import type { RoutingRules } from './routing-rules.js';
import { DEFAULT_ROUTING, DEFAULT_SLACK_CHANNEL, parseRoutingRules } from './routing-rules.js';
import type { Env } from './setting-values.js';

/** Where notifications go; a target is null when its secret is not set. Secrets are read here, at start. */
export interface NotifySettings {
  /** `SLACK_TOKEN`, `SLACK_API_URL` (default https://slack.com/api/), `SLACK_CHANNEL_DEFAULT` (default #cloudo). */
  readonly slack: {
    readonly token: string;
    readonly apiUrl: string;
    readonly defaultChannel: string;
    /**
     * `SLACK_SIGNING_SECRET`, the Slack app's signing secret: set, approval messages carry Approve/Reject
     * buttons and `POST /api/slack/interactions` takes their clicks; unset (default), decisions are made on
     * the run page only. Secret: never logged, never shown.
     */
    readonly signingSecret: string | null;
  } | null;
  /** `OPSGENIE_API_KEY`, `OPSGENIE_API_URL` (default https://api.opsgenie.com; the EU or JSM endpoint goes here). */
  readonly opsgenie: { readonly apiKey: string; readonly apiUrl: string } | null;
  /** `PAGERDUTY_ROUTING_KEY`, `PAGERDUTY_EVENTS_URL` (default https://events.pagerduty.com). */
  readonly pagerduty: { readonly routingKey: string; readonly eventsUrl: string } | null;
  /** `CLOUDO_PUBLIC_URL`: base of the links in messages (default http://localhost:7071). */
  readonly publicUrl: string;
  /** `CLOUDO_ROUTING_RULES` (JSON) or `CLOUDO_ROUTING_RULES_FILE` contents; the defaults otherwise. */
  readonly routing: RoutingRules;
}

const value = (env: Env, name: string) => env[name]?.trim() || undefined;

function url(env: Env, name: string, fallback: string, problems: string[]): string {
  const v = value(env, name) ?? fallback;
  if (!URL.canParse(v)) problems.push(`${name} is not a URL: "${v}"`);
  return v;
}

/**
 * Reads the notification settings. `routingFile` is the content of `CLOUDO_ROUTING_RULES_FILE`, read by
 * the entrypoint (this module does no I/O); invalid rules stop start-up with the JSON path of the error.
 */
export function readNotifySettings(env: Env, problems: string[], routingFile?: string): NotifySettings {
  const slackToken = value(env, 'SLACK_TOKEN');
  const signingSecret = value(env, 'SLACK_SIGNING_SECRET') ?? null;
  if (signingSecret && !slackToken) {
    // the buttons are on messages the bot posts, and a click is mapped to a person with users.info
    problems.push('SLACK_SIGNING_SECRET is set but SLACK_TOKEN is not: Slack buttons need the bot token too');
  }
  const opsgenieKey = value(env, 'OPSGENIE_API_KEY');
  const pagerdutyKey = value(env, 'PAGERDUTY_ROUTING_KEY');
  const rulesText = value(env, 'CLOUDO_ROUTING_RULES') ?? routingFile;
  let routing = DEFAULT_ROUTING;
  if (rulesText) {
    const parsed = parseRoutingRules(rulesText);
    if (parsed.ok) routing = parsed.rules;
    else {
      const where = value(env, 'CLOUDO_ROUTING_RULES') ? 'CLOUDO_ROUTING_RULES' : 'CLOUDO_ROUTING_RULES_FILE';
      for (const p of parsed.problems) problems.push(`${where} ${p.path || '(file)'}: ${p.message}`);
    }
  }
  const channelSetting = value(env, 'SLACK_CHANNEL_DEFAULT');
  // without a rules file, SLACK_CHANNEL_DEFAULT is the default route's channel
  if (channelSetting && !rulesText)
    routing = { ...routing, default: { ...routing.default, slack: { channel: channelSetting } } };
  const defaultChannel =
    channelSetting ?? (routing.default.slack === false ? DEFAULT_SLACK_CHANNEL : routing.default.slack.channel);
  return {
    slack: slackToken
      ? {
          token: slackToken,
          apiUrl: url(env, 'SLACK_API_URL', 'https://slack.com/api/', problems),
          defaultChannel,
          signingSecret,
        }
      : null,
    opsgenie: opsgenieKey
      ? { apiKey: opsgenieKey, apiUrl: url(env, 'OPSGENIE_API_URL', 'https://api.opsgenie.com', problems) }
      : null,
    pagerduty: pagerdutyKey
      ? {
          routingKey: pagerdutyKey,
          eventsUrl: url(env, 'PAGERDUTY_EVENTS_URL', 'https://events.pagerduty.com', problems),
        }
      : null,
    publicUrl: url(env, 'CLOUDO_PUBLIC_URL', 'http://localhost:7071', problems).replace(/\/+$/, ''),
    routing,
  };
}
