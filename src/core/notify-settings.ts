import { z } from 'zod';
import type { RoutingRules } from './routing-rules.js';
import { DEFAULT_ROUTING, DEFAULT_SLACK_CHANNEL, parseRoutingRules } from './routing-rules.js';
import type { EnvShape } from './setting-values.js';
import { described, Url } from './setting-values.js';

/** Where notifications go; a target is null when its secret is not set. Secrets are read here, at start. */
export const NotifyEnv = {
  SLACK_TOKEN: described(z.string().optional(), 'Slack bot token (secret); unset: no Slack'),
  SLACK_API_URL: described(Url('SLACK_API_URL').default('https://slack.com/api/'), 'Slack Web API base URL'),
  SLACK_CHANNEL_DEFAULT: described(
    z.string().optional(),
    `channel of the default route when no routing rules are set (otherwise ${DEFAULT_SLACK_CHANNEL})`,
  ),
  SLACK_SIGNING_SECRET: described(
    z.string().optional(),
    'Slack app signing secret (secret): approval messages get Approve/Reject buttons',
  ),
  OPSGENIE_API_KEY: described(z.string().optional(), 'Opsgenie / JSM API key (secret); unset: no Opsgenie'),
  OPSGENIE_API_URL: described(
    Url('OPSGENIE_API_URL').default('https://api.opsgenie.com'),
    'Opsgenie endpoint (the EU or JSM endpoint goes here)',
  ),
  PAGERDUTY_ROUTING_KEY: described(z.string().optional(), 'PagerDuty Events v2 routing key (secret)'),
  PAGERDUTY_EVENTS_URL: described(
    Url('PAGERDUTY_EVENTS_URL').default('https://events.pagerduty.com'),
    'PagerDuty Events API',
  ),
  CLOUDO_PUBLIC_URL: described(
    Url('CLOUDO_PUBLIC_URL')
      .transform((u) => u.replace(/\/+$/, ''))
      .default('http://localhost:7071'),
    'base of the links in messages',
  ),
  CLOUDO_ROUTING_RULES: described(z.string().optional(), 'routing rules as JSON (see "Routing")'),
  CLOUDO_ROUTING_RULES_FILE: described(z.string().optional(), 'file holding the routing rules, when not inline'),
} satisfies EnvShape;

type NotifyValues = z.output<z.ZodObject<typeof NotifyEnv>>;

export function checkNotifyVariables(raw: Readonly<Record<string, string>>, problems: string[]): void {
  if (raw.SLACK_SIGNING_SECRET && !raw.SLACK_TOKEN) {
    // the buttons are on messages the bot posts, and a click is mapped to a person with users.info
    problems.push('SLACK_SIGNING_SECRET is set but SLACK_TOKEN is not: Slack buttons need the bot token too');
  }
}

/**
 * The notification settings. `readFile` reads `CLOUDO_ROUTING_RULES_FILE` (this module does no I/O);
 * invalid rules stop start-up with the JSON path of the error.
 */
export function notifySettings(values: NotifyValues, problems: string[], readFile: (path: string) => string) {
  const inline = values.CLOUDO_ROUTING_RULES;
  const where = inline ? 'CLOUDO_ROUTING_RULES' : 'CLOUDO_ROUTING_RULES_FILE';
  const rulesText = inline ?? readRulesFile(values.CLOUDO_ROUTING_RULES_FILE, problems, readFile);
  let routing: RoutingRules = DEFAULT_ROUTING;
  if (rulesText) {
    const parsed = parseRoutingRules(rulesText);
    if (parsed.ok) routing = parsed.rules;
    else for (const p of parsed.problems) problems.push(`${where} ${p.path || '(file)'}: ${p.message}`);
  }
  const channelSetting = values.SLACK_CHANNEL_DEFAULT;
  // without a rules file, SLACK_CHANNEL_DEFAULT is the default route's channel
  if (channelSetting && !rulesText)
    routing = { ...routing, default: { ...routing.default, slack: { channel: channelSetting } } };
  const defaultChannel =
    channelSetting ?? (routing.default.slack === false ? DEFAULT_SLACK_CHANNEL : routing.default.slack.channel);
  const slackToken = values.SLACK_TOKEN;
  return {
    slack: slackToken
      ? {
          token: slackToken,
          apiUrl: values.SLACK_API_URL,
          defaultChannel,
          /** Set: approval messages carry buttons and `POST /api/slack/interactions` takes their clicks. */
          signingSecret: values.SLACK_SIGNING_SECRET ?? null,
        }
      : null,
    opsgenie: values.OPSGENIE_API_KEY ? { apiKey: values.OPSGENIE_API_KEY, apiUrl: values.OPSGENIE_API_URL } : null,
    pagerduty: values.PAGERDUTY_ROUTING_KEY
      ? { routingKey: values.PAGERDUTY_ROUTING_KEY, eventsUrl: values.PAGERDUTY_EVENTS_URL }
      : null,
    publicUrl: values.CLOUDO_PUBLIC_URL,
    routing,
  };
}

export type NotifySettings = ReturnType<typeof notifySettings>;

function readRulesFile(
  path: string | undefined,
  problems: string[],
  readFile: (path: string) => string,
): string | undefined {
  if (!path) return undefined;
  try {
    return readFile(path);
  } catch (err) {
    problems.push(`CLOUDO_ROUTING_RULES_FILE: cannot read ${path}: ${(err as Error).message}`);
    return undefined;
  }
}
