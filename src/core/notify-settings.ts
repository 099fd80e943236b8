import { z } from 'zod';
import type { RoutingRules } from './routing-rules.js';
import { DEFAULT_ROUTING, DEFAULT_SLACK_CHANNEL, parseRoutingRules } from './routing-rules.js';
import type { EnvShape } from './setting-values.js';
import { described, OneOf, Url } from './setting-values.js';
import type { TeamNotifyMap } from './team-notify-settings.js';
import { readTeamNotifySettings, teamSettingKey, teamSettingName } from './team-notify-settings.js';

/** Opsgenie's two instances; `OPSGENIE_API_URL` names any other (JSM). */
export const OPSGENIE_API_URLS = { us: 'https://api.opsgenie.com', eu: 'https://api.eu.opsgenie.com' } as const;

/**
 * Where notifications go; a target is null when its secret is not set. Secrets are read here, at start.
 * Per-team tokens, keys and channels (`SLACK_TOKEN_<TEAM>`…) are read by team-notify-settings.ts.
 */
export const NotifyEnv = {
  SLACK_TOKEN: described(
    z.string().optional(),
    'Slack bot token (secret); unset: no Slack, but for teams with `SLACK_TOKEN_<TEAM>` (see "Routing")',
  ),
  SLACK_TOKEN_DEFAULT: described(
    z.string().optional(),
    'alias of `SLACK_TOKEN` (the original ClouDO’s name); `SLACK_TOKEN` wins when both are set',
  ),
  SLACK_API_URL: described(Url('SLACK_API_URL').default('https://slack.com/api/'), 'Slack Web API base URL'),
  SLACK_CHANNEL_DEFAULT: described(
    z.string().optional(),
    `channel of the default route when no routing rules are set (otherwise ${DEFAULT_SLACK_CHANNEL})`,
  ),
  SLACK_SIGNING_SECRET: described(
    z.string().optional(),
    'Slack app signing secret (secret): approval messages get Approve/Reject buttons',
  ),
  OPSGENIE_API_KEY: described(
    z.string().optional(),
    'Opsgenie / JSM API key (secret); unset: no Opsgenie, but for teams with `OPSGENIE_API_KEY_<TEAM>`',
  ),
  OPSGENIE_API_KEY_DEFAULT: described(
    z.string().optional(),
    'alias of `OPSGENIE_API_KEY` (the original ClouDO’s name); `OPSGENIE_API_KEY` wins when both are set',
  ),
  OPSGENIE_REGION: described(
    // the original compared it upper-cased, so its `EU` reads as eu
    z
      .string()
      .transform((v) => v.toLowerCase())
      .pipe(OneOf('OPSGENIE_REGION', ['us', 'eu']))
      .default('us'),
    `Opsgenie instance when \`OPSGENIE_API_URL\` is unset: \`us\` (${OPSGENIE_API_URLS.us}) or \`eu\` (${OPSGENIE_API_URLS.eu}); a key starting \`eu_\` is EU either way`,
  ),
  OPSGENIE_API_URL: described(
    Url('OPSGENIE_API_URL').optional(),
    'Opsgenie endpoint, e.g. JSM’s `https://api.atlassian.com/jsm/ops/integration` (default: by `OPSGENIE_REGION`)',
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
  if (raw.SLACK_SIGNING_SECRET && !raw.SLACK_TOKEN && !raw.SLACK_TOKEN_DEFAULT) {
    // the buttons are on messages the bot posts, and a click is mapped to a person with users.info
    problems.push('SLACK_SIGNING_SECRET is set but SLACK_TOKEN is not: Slack buttons need the bot token too');
  }
}

/**
 * The Opsgenie endpoint of one key: `OPSGENIE_API_URL` when set, else EU for `OPSGENIE_REGION=eu` or a key
 * starting `eu_` (the original's rule), else US.
 */
export function opsgenieApiUrl(apiKey: string, values: Pick<NotifyValues, 'OPSGENIE_API_URL' | 'OPSGENIE_REGION'>) {
  if (values.OPSGENIE_API_URL) return values.OPSGENIE_API_URL;
  return values.OPSGENIE_REGION === 'eu' || apiKey.startsWith('eu_') ? OPSGENIE_API_URLS.eu : OPSGENIE_API_URLS.us;
}

/**
 * The notification settings. `readFile` reads `CLOUDO_ROUTING_RULES_FILE` (this module does no I/O);
 * invalid rules stop start-up with the JSON path of the error. `raw` is the whole environment (blanks
 * dropped), where the per-team settings are found.
 */
export function notifySettings(
  values: NotifyValues,
  problems: string[],
  readFile: (path: string) => string,
  raw: Readonly<Record<string, string>> = {},
) {
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
  const slackToken = values.SLACK_TOKEN ?? values.SLACK_TOKEN_DEFAULT;
  const opsgenieKey = values.OPSGENIE_API_KEY ?? values.OPSGENIE_API_KEY_DEFAULT;
  const teamSettings = readTeamNotifySettings(raw, problems);
  const teams: ReadonlyMap<string, TeamNotifySettings> = new Map(
    [...teamSettings].map(([key, team]) => [
      key,
      {
        slack: team.slackToken ? { token: team.slackToken, apiUrl: values.SLACK_API_URL } : null,
        slackChannel: team.slackChannel,
        opsgenie: team.opsgenieApiKey
          ? { apiKey: team.opsgenieApiKey, apiUrl: opsgenieApiUrl(team.opsgenieApiKey, values) }
          : null,
      },
    ]),
  );
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
    opsgenie: opsgenieKey ? { apiKey: opsgenieKey, apiUrl: opsgenieApiUrl(opsgenieKey, values) } : null,
    pagerduty: values.PAGERDUTY_ROUTING_KEY
      ? { routingKey: values.PAGERDUTY_ROUTING_KEY, eventsUrl: values.PAGERDUTY_EVENTS_URL }
      : null,
    publicUrl: values.CLOUDO_PUBLIC_URL,
    routing,
    /** Each team's own token, key and channel, by `teamSettingKey`; a team not here uses the defaults. */
    teams,
    /** What start-up logs: settings that work, but not as their author probably meant. */
    warnings: missingTeamSecrets(routing, teamSettings),
  };
}

/** One team's own notification settings; null: the default's are used. */
export interface TeamNotifySettings {
  readonly slack: { readonly token: string; readonly apiUrl: string } | null;
  /** `SLACK_CHANNEL_<TEAM>`: the team's runs post here when no rule names a channel. */
  readonly slackChannel: string | null;
  readonly opsgenie: { readonly apiKey: string; readonly apiUrl: string } | null;
}

/** A rule naming a team with no token or key of its own sends with the default one: said once, at start. */
function missingTeamSecrets(routing: RoutingRules, teams: TeamNotifyMap): string[] {
  const warnings: string[] = [];
  routing.rules.forEach((rule, i) => {
    const name = rule.name ?? `rules[${i}]`;
    const { slack, opsgenie } = rule.notify;
    if (slack && slack.team !== undefined && !teams.get(teamSettingKey(slack.team))?.slackToken) {
      warnings.push(
        `routing rule "${name}" sends Slack as team "${slack.team}", but ${teamSettingName('SLACK_TOKEN', slack.team)} is not set: it uses the default token (SLACK_TOKEN)`,
      );
    }
    if (typeof opsgenie === 'object' && !teams.get(teamSettingKey(opsgenie.team))?.opsgenieApiKey) {
      warnings.push(
        `routing rule "${name}" pages Opsgenie as team "${opsgenie.team}", but ${teamSettingName('OPSGENIE_API_KEY', opsgenie.team)} is not set: it uses the default key (OPSGENIE_API_KEY)`,
      );
    }
  });
  return warnings;
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
