import { z } from 'zod';
import { ExecutionStatus } from './execution.js';
import { formatJsonPath } from './runbook-schema.js';

/**
 * Routing rules: which notification targets hear about a finished run. Pure: the caller reads
 * `CLOUDO_ROUTING_RULES` / `CLOUDO_ROUTING_RULES_FILE`, parses once with `parseRoutingRules`, and asks
 * `routeRun` per run. Whether a target's key is configured is the caller's check, not ours.
 */

/**
 * Statuses that count as a failure; an on-call run ending in one always notifies (see `routeRun`). An
 * `expired` approval is one: the remediation that was asked for never ran.
 */
export const FAILURE_STATUSES = [
  'failed',
  'timed_out',
  'error',
  'abandoned',
  'expired',
] as const satisfies ExecutionStatus[];

/** Slack channel used when no config names one. */
export const DEFAULT_SLACK_CHANNEL = '#cloudo';

const TEAM_PLACEHOLDER = '{team}';
/** Slack names: lowercase letters, digits, "-" and "_", at most 80; or a channel id (C…/G…). */
const SLACK_NAME = /^#[a-z0-9_-]{1,80}$/;
const SLACK_ID = /^[CG][A-Z0-9]{8,20}$/;
/** The team comes from the URL: it may fill `{team}` only if, lowercased, it is a plain Slack-safe word. */
const TEAM_FOR_CHANNEL = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** A channel Slack accepts: `#name` or a channel id. */
export const isSlackChannel = (c: string) => SLACK_NAME.test(c) || SLACK_ID.test(c);

/**
 * A team whose own token or key a target uses (`SLACK_TOKEN_<TEAM>`, `OPSGENIE_API_KEY_<TEAM>`): a name
 * that makes a setting name once upper-cased with "-" as "_", as the module's team maps require.
 */
const CredentialTeam = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1-64 letters, digits, "_" or "-" (it names SLACK_TOKEN_<TEAM>)');

/**
 * A value to match: exact, or a prefix when it ends in `*` (`"payments-*"`; `"*"` is any value). A run
 * whose fact is missing (no team, no namespace...) never matches a condition on it.
 */
const Pattern = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^*]*\*?$/, 'a "*" may only end a pattern (prefix match)');

/** One value or a non-empty list of them (any one matches); parsed to a list. */
function oneOrMany<T extends z.ZodType<string>>(item: T, what: string) {
  return z
    .union([z.array(item).min(1).max(100), item], { error: `expected ${what} or a non-empty list of them` })
    .transform((v): z.output<T>[] => (Array.isArray(v) ? v : [v]));
}

const Patterns = oneOrMany(Pattern, 'a string');

/** Every condition given must hold; an omitted one matches anything. */
export const RoutingCondition = z
  .object({
    /** Team from `/api/Trigger/{team}`, case-insensitive. */
    team: Patterns.optional(),
    /** Schema id, exact (case-sensitive, like `?id=`). */
    schema: Patterns.optional(),
    /** Alert severity, case-insensitive: "Sev0".."Sev4" or the source's word ("critical"). */
    severity: Patterns.optional(),
    /**
     * Run status. Omitted: the runs the default notifies about (`default.statuses`, plus on-call
     * failures), so a team-channel rule does not post successes unless it lists `succeeded`. List
     * `unmatched` to announce alerts no schema handles: once per unmatched row (an alert and condition
     * within the dedupe window), not per delivery; `notify.opsgenie`/`pagerduty` page while it fires and
     * close when it resolves. No rule lists it by default, so they stay quiet.
     */
    status: oneOrMany(ExecutionStatus, `one of ${ExecutionStatus.options.join('|')}`).optional(),
    /** Kubernetes namespace named by the alert, exact. */
    namespace: Patterns.optional(),
    /** Azure resource group of the alerted resource, case-insensitive. */
    resource_group: Patterns.optional(),
    /** Whether the schema is on-call (`oncall: true`). */
    oncall: z.boolean().optional(),
  })
  .strict();
export type RoutingCondition = z.infer<typeof RoutingCondition>;

/** `{"channel": "#name"}` (or a channel id), or false for no Slack message. */
function slackChannel(allowTeam: boolean) {
  return z
    .string()
    .refine(
      (c) => isSlackChannel(allowTeam ? c.replaceAll(TEAM_PLACEHOLDER, 'x') : c),
      `must be "#name" (lowercase, digits, "-", "_"${allowTeam ? ', "{team}"' : ''}) or a channel id`,
    );
}

/**
 * A rule's Slack target: `{"channel": "#name", "team": "payments"}`, both optional, or false for none.
 * `team` posts with that team's token (`SLACK_TOKEN_PAYMENTS`, the default token when unset) and, when
 * no channel is named, to its channel (`SLACK_CHANNEL_PAYMENTS`).
 */
const RuleSlackTarget = z.union(
  [z.object({ channel: slackChannel(true).optional(), team: CredentialTeam.optional() }).strict(), z.literal(false)],
  { error: 'expected {"channel": "#name", "team": "name"} (both optional) or false' },
);

/** `true`/`false`, or `{"team": "payments"}`: page with that team's key (`OPSGENIE_API_KEY_PAYMENTS`). */
const RuleOpsgenieTarget = z.union([z.boolean(), z.object({ team: CredentialTeam }).strict()], {
  error: 'expected true, false or {"team": "name"}',
});

/** Targets of a matching rule. An omitted target does what the default would for this run. */
export const RoutingTargets = z
  .object({
    /**
     * Channel to post in, and the team whose token posts, or false for none. Omitted: the default
     * channel. `{team}` is replaced by the run's team, lowercased (`"#team-{team}"`); a run without a
     * team, or whose team is not a plain word (letters, digits, "-", "_"), posts to the default channel
     * instead. `team` omitted: the run's team (`/api/Trigger/{team}`), whose token and channel are used
     * when set.
     */
    slack: RuleSlackTarget.optional(),
    /**
     * Page through Opsgenie/JSM: true, false, or `{"team": "payments"}` (true, with that team's key).
     * Omitted: only on-call failures, if `default.opsgenie`. Without a named team, the run's team's key
     * is used when set.
     */
    opsgenie: RuleOpsgenieTarget.optional(),
    /** Page through PagerDuty. Omitted: only on-call failures, if `default.pagerduty`. */
    pagerduty: z.boolean().optional(),
  })
  .strict();

export const RoutingRule = z
  .object({
    /** Shown as `matched` and in the audit. Default: its JSON path, e.g. `rules[2]`. Unique. */
    name: z.string().min(1).max(100).optional(),
    /** When the rule applies. Default `{}`: every run the default notifies about. */
    when: RoutingCondition.prefault({}),
    notify: RoutingTargets,
  })
  .strict();

/** What happens when no rule matches, and what omitted targets fall back to. */
export const RoutingDefault = z
  .object({
    /** Channel for runs no rule routes, or false for none. Default `#cloudo`. No `{team}` here. */
    slack: z
      .union([z.object({ channel: slackChannel(false) }).strict(), z.literal(false)], {
        error: 'expected {"channel": "#name"} or false',
      })
      .default({ channel: DEFAULT_SLACK_CHANNEL }),
    /** Page on-call failures through Opsgenie/JSM. Default true. */
    opsgenie: z.boolean().default(true),
    /** Page on-call failures through PagerDuty. Default true. */
    pagerduty: z.boolean().default(true),
    /** Statuses that post to Slack by default. Default: the failures. On-call failures post regardless. */
    statuses: z.array(ExecutionStatus).default([...FAILURE_STATUSES]),
  })
  .strict();

export const RoutingRules = z
  .object({
    /** Tried in order; the first whose `when` holds decides. Default: none. */
    rules: z.array(RoutingRule).max(200).default([]),
    /** Runs no rule matches, and targets a matching rule omits. Default: each field's default. */
    default: RoutingDefault.prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.rules.forEach((rule, i) => {
      if (rule.name === undefined) return;
      const first = seen.get(rule.name);
      const message = `duplicate name (first at rules[${first}])`;
      if (first === undefined) seen.set(rule.name, i);
      else ctx.addIssue({ code: 'custom', path: ['rules', i, 'name'], message });
    });
  });
export type RoutingRules = z.infer<typeof RoutingRules>;

/** No config: failures post to `#cloudo`; on-call failures also page Opsgenie and PagerDuty. */
export const DEFAULT_ROUTING: RoutingRules = RoutingRules.parse({});

export interface RoutingRulesProblem {
  /** JSON path of the offending value, e.g. `rules[0].when.sevrity`; `""` for the whole document. */
  readonly path: string;
  readonly message: string;
}

export type ParseRoutingRulesResult =
  | { readonly ok: true; readonly rules: RoutingRules }
  | { readonly ok: false; readonly problems: RoutingRulesProblem[] };

/** Parses a routing config; every problem names its JSON path, so a bad config is refused at load. */
export function parseRoutingRules(text: string): ParseRoutingRulesResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, problems: [{ path: '', message: `not valid JSON: ${(err as Error).message}` }] };
  }
  const parsed = RoutingRules.safeParse(json);
  return parsed.success ? { ok: true, rules: parsed.data } : { ok: false, problems: problemsOf(parsed.error.issues) };
}

function problemsOf(issues: readonly z.core.$ZodIssue[], base: readonly PropertyKey[] = []): RoutingRulesProblem[] {
  return issues.flatMap((issue) => {
    const path = [...base, ...issue.path];
    // zod puts an unknown key's issue on its object; operators want the key itself (`when.sevrity`)
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: formatJsonPath([...path, key]), message: `unknown key "${key}"` }));
    }
    // a union's "Invalid input" hides the real mistake: report the one branch the value was meant for
    if (issue.code === 'invalid_union') {
      const meant = issue.errors.filter((branch) => !branch.every(isKindMismatch));
      if (meant.length === 1 && meant[0]) return problemsOf(meant[0], path);
    }
    return [{ path: formatJsonPath(path), message: issue.message }];
  });
}

const isKindMismatch = (issue: z.core.$ZodIssue) =>
  issue.path.length === 0 && (issue.code === 'invalid_type' || issue.code === 'invalid_value');

/** What `routeRun` needs to know about a finished run; null: the run has no such fact (matches no condition on it). */
export interface RunFacts {
  /** `RunTrigger.team` (from `/api/Trigger/{team}`). */
  team: string | null;
  schemaId: string;
  /** The alert's severity ("Sev0".."Sev4" or a word); null when no alert started the run. */
  severity: string | null;
  /** The run's final `ExecutionStatus`. */
  status: string;
  /** Kubernetes namespace the alert names. */
  namespace: string | null;
  /** Azure resource group of the alerted resource. */
  resourceGroup: string | null;
  /** The schema's `oncall`. */
  oncall: boolean;
}

export interface NotificationRoute {
  /** Slack channel to post in; null: no Slack message. */
  readonly slackChannel: string | null;
  /** Team whose Slack token posts (`SLACK_TOKEN_<TEAM>`, the default token when unset); null: the default. */
  readonly slackTeam: string | null;
  /** Open/close an Opsgenie/JSM alert (sent only if its key is configured). */
  readonly opsgenie: boolean;
  /** Team whose Opsgenie key pages (`OPSGENIE_API_KEY_<TEAM>`, the default key when unset); null: the default. */
  readonly opsgenieTeam: string | null;
  /** Trigger/resolve a PagerDuty incident (sent only if its key is configured). */
  readonly pagerduty: boolean;
  /** Name (or `rules[i]`) of the rule that decided, or `"default"`. */
  readonly matched: string;
}

/** Whether a status is one of `FAILURE_STATUSES`. */
export function isFailureStatus(status: string): boolean {
  return (FAILURE_STATUSES as readonly string[]).includes(status);
}

/**
 * Targets for one run: the first matching rule wins; no match, the default. On-call failures always
 * notify: whatever the rule says, an on-call run that failed (see `FAILURE_STATUSES`) gets at least the
 * default Slack channel and every paging target the default enables, so no rule can silence a page.
 * Approval requests (`pending_approval`) always go to Slack too, where the people who decide look: a
 * rule may pick the channel (`#team-{team}`) but not silence it, and nobody is paged for a question.
 * (With Slack off in both the rule and the default, the channel is null and the Slack notifier's own
 * default channel takes it.)
 *
 * Teams: a target posts or pages as the team the rule names (`{"team": "payments"}`), else as the run's
 * team; the caller picks that team's token or key, or the default one. Where no rule names a channel, the
 * team's runs post to its own channel (`teamChannelOf`: `SLACK_CHANNEL_<TEAM>`), as in the original.
 */
export function routeRun(
  config: RoutingRules,
  facts: RunFacts,
  teamChannelOf: (team: string) => string | null = () => null,
): NotificationRoute {
  const fallback = config.default;
  const isOncallFailure = facts.oncall && isFailureStatus(facts.status);
  const isApprovalRequest = facts.status === 'pending_approval';
  const notifiesByDefault =
    isOncallFailure || isApprovalRequest || (fallback.statuses as readonly string[]).includes(facts.status);
  const index = config.rules.findIndex((rule) => matches(rule.when, facts, notifiesByDefault));
  const rule = config.rules[index];

  const slack = rule?.notify.slack;
  const opsgenie = rule?.notify.opsgenie;
  const slackTeam = (slack ? slack.team : undefined) ?? facts.team;
  const opsgenieTeam = (typeof opsgenie === 'object' ? opsgenie.team : undefined) ?? facts.team;
  const teamChannel = slackTeam === null ? null : teamChannelOf(slackTeam);
  // a default of `false` stays silent for a team too; otherwise the team's channel stands in for it
  const defaultChannel = fallback.slack === false ? null : (teamChannel ?? fallback.slack.channel);
  const byDefault = {
    slackChannel: notifiesByDefault ? defaultChannel : null,
    slackTeam,
    opsgenie: fallback.opsgenie && isOncallFailure,
    opsgenieTeam,
    pagerduty: fallback.pagerduty && isOncallFailure,
  };
  if (rule === undefined) return { ...byDefault, matched: 'default' };

  const route = {
    ...byDefault,
    slackChannel:
      slack === false
        ? null
        : (fillTeam(slack?.channel ?? teamChannel ?? defaultChannel, facts.team) ?? defaultChannel),
    opsgenie: opsgenie === undefined ? byDefault.opsgenie : opsgenie !== false,
    pagerduty: rule.notify.pagerduty ?? byDefault.pagerduty,
    matched: rule.name ?? `rules[${index}]`,
  };
  if (isApprovalRequest) {
    return { ...route, slackChannel: route.slackChannel ?? defaultChannel, opsgenie: false, pagerduty: false };
  }
  if (!isOncallFailure) return route;
  return {
    ...route,
    slackChannel: route.slackChannel ?? defaultChannel,
    opsgenie: route.opsgenie || fallback.opsgenie,
    pagerduty: route.pagerduty || fallback.pagerduty,
  };
}

function matches(when: RoutingCondition, facts: RunFacts, notifiesByDefault: boolean): boolean {
  return (
    (when.status === undefined ? notifiesByDefault : (when.status as readonly string[]).includes(facts.status)) &&
    (when.oncall === undefined || when.oncall === facts.oncall) &&
    matchesAny(when.team, facts.team, true) &&
    matchesAny(when.schema, facts.schemaId, false) &&
    matchesAny(when.severity, facts.severity, true) &&
    matchesAny(when.namespace, facts.namespace, false) &&
    matchesAny(when.resource_group, facts.resourceGroup, true)
  );
}

function matchesAny(patterns: readonly string[] | undefined, value: string | null, ignoreCase: boolean): boolean {
  if (patterns === undefined) return true;
  if (value === null) return false;
  const fold = (s: string) => (ignoreCase ? s.toLowerCase() : s);
  const v = fold(value);
  return patterns.some((p) => (p.endsWith('*') ? v.startsWith(fold(p.slice(0, -1))) : v === fold(p)));
}

/** `{team}` filled with the run's team; null (the caller falls back to the default channel) when it cannot. */
function fillTeam(channel: string | null, team: string | null): string | null {
  if (channel === null || !channel.includes(TEAM_PLACEHOLDER)) return channel;
  const word = team?.toLowerCase() ?? '';
  if (!TEAM_FOR_CHANNEL.test(word)) return null;
  const filled = channel.replaceAll(TEAM_PLACEHOLDER, word);
  return SLACK_NAME.test(filled) ? filled : null;
}
