import type { Notifier } from '../core/notification.js';
import { teamSettingKey } from '../core/team-notify-settings.js';
import type { Target } from './plan.js';

/** What one team configured of its own: notifiers with its token or key, and its Slack channel. */
export interface TeamNotifier {
  /** Targets the team has a secret for (`SLACK_TOKEN_<TEAM>`, `OPSGENIE_API_KEY_<TEAM>`); others use the default. */
  readonly notifiers: Partial<Record<Target, Notifier>>;
  /** `SLACK_CHANNEL_<TEAM>`: where its runs post when no rule names a channel. */
  readonly slackChannel: string | null;
}

/** Each team's own notifiers, by `teamSettingKey` (`payments-eu` → `PAYMENTS_EU`). */
export type TeamNotifiers = ReadonlyMap<string, TeamNotifier>;

/**
 * The notifier that sends to `target` as `team`: the team's own when it has a secret for it, else the
 * default one (as the original fell back to `SLACK_TOKEN_DEFAULT`); undefined when neither is configured.
 */
export function notifierFor(
  defaults: Partial<Record<Target, Notifier>>,
  teams: TeamNotifiers,
  target: Target,
  team: string | null,
): Notifier | undefined {
  return (team === null ? undefined : teams.get(teamSettingKey(team))?.notifiers[target]) ?? defaults[target];
}

/** The channel lookup `routeRun` takes. */
export function teamChannelOf(teams: TeamNotifiers): (team: string) => string | null {
  return (team) => teams.get(teamSettingKey(team))?.slackChannel ?? null;
}
