import { z } from 'zod';
import { isSlackChannel } from './routing-rules.js';

/**
 * Per-team notification settings, named as the original ClouDO named them (its module's
 * `team_slack_tokens`, `team_opsgenie_api_keys` and `team_slack_channels` wrote them): `SLACK_TOKEN_<TEAM>`,
 * `OPSGENIE_API_KEY_<TEAM>` and `SLACK_CHANNEL_<TEAM>`, TEAM upper-cased with "-" as "_". Their names are
 * not known in advance, so they cannot be fields of NotifyEnv: the environment is scanned for them once, at
 * start-up, here.
 */

/** What one team configured; null: not set (the default token, key or channel is used). */
export interface TeamNotify {
  /** `SLACK_TOKEN_<TEAM>`: bot token (secret) the team's messages are posted with. */
  readonly slackToken: string | null;
  /** `SLACK_CHANNEL_<TEAM>`: where the team's runs post when no rule names a channel. */
  readonly slackChannel: string | null;
  /** `OPSGENIE_API_KEY_<TEAM>`: Opsgenie / JSM API key (secret) the team is paged with. */
  readonly opsgenieApiKey: string | null;
}

/** Each team's settings by `teamSettingKey`. */
export type TeamNotifyMap = ReadonlyMap<string, TeamNotify>;

/** The part of a setting's name that names the team: `payments-eu` → `PAYMENTS_EU`, as the original did. */
export function teamSettingKey(team: string): string {
  return team.toUpperCase().replaceAll('-', '_');
}

/** The name of a team's setting, e.g. `teamSettingName('SLACK_TOKEN', 'payments-eu')` → `SLACK_TOKEN_PAYMENTS_EU`. */
export function teamSettingName(kind: TeamSettingKind, team: string): string {
  return `${kind}_${teamSettingKey(team)}`;
}

export type TeamSettingKind = 'SLACK_TOKEN' | 'SLACK_CHANNEL' | 'OPSGENIE_API_KEY';

/** `_DEFAULT` is the default's own name (SLACK_CHANNEL_DEFAULT, and the aliases of SLACK_TOKEN and OPSGENIE_API_KEY). */
const TEAM_SETTING = /^(SLACK_TOKEN|SLACK_CHANNEL|OPSGENIE_API_KEY)_(?!DEFAULT$)(.+)$/;
/** What `teamSettingKey` makes of a team name `/api/Trigger/{team}` and the module accept. */
const TEAM_KEY = /^[A-Z0-9][A-Z0-9_]{0,63}$/;

const FIELD = { SLACK_TOKEN: 'slackToken', SLACK_CHANNEL: 'slackChannel', OPSGENIE_API_KEY: 'opsgenieApiKey' } as const;

/** One value, by kind; a message never quotes a secret. */
const Value = {
  SLACK_TOKEN: z.string().min(1),
  OPSGENIE_API_KEY: z.string().min(1),
  SLACK_CHANNEL: z.string().refine(isSlackChannel, {
    error: (i) => `must be "#name" (lowercase, digits, "-", "_") or a channel id, not "${String(i.input)}"`,
  }),
} satisfies Record<TeamSettingKind, z.ZodType<string>>;

/**
 * Every team's settings in `raw` (blank variables already dropped). A name that could never be looked up
 * (`SLACK_TOKEN_payments`: lower case) or a wrong channel is a problem, so that a typo does not silently
 * send a team's pages with the default key.
 */
export function readTeamNotifySettings(raw: Readonly<Record<string, string>>, problems: string[]): TeamNotifyMap {
  const teams = new Map<string, { -readonly [K in keyof TeamNotify]: TeamNotify[K] }>();
  const names = Object.keys(raw).sort();
  for (const name of names) {
    const match = TEAM_SETTING.exec(name);
    if (!match) continue;
    const kind = match[1] as TeamSettingKind;
    const key = match[2] ?? '';
    if (!TEAM_KEY.test(key)) {
      const example = `${kind}_${key.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
      problems.push(
        `${name}: a team’s setting is named with upper-case letters, digits and "_" ("-" in a team name becomes "_"), e.g. ${example}`,
      );
      continue;
    }
    const parsed = Value[kind].safeParse(raw[name]);
    if (!parsed.success) {
      problems.push(`${name} ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
      continue;
    }
    const team = teams.get(key) ?? { slackToken: null, slackChannel: null, opsgenieApiKey: null };
    team[FIELD[kind]] = parsed.data;
    teams.set(key, team);
  }
  return teams;
}
