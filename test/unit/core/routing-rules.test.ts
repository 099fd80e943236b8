import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ROUTING,
  FAILURE_STATUSES,
  parseRoutingRules,
  type RoutingRules,
  type RunFacts,
  routeRun,
} from '../../../src/core/routing-rules.js';

const EXAMPLE = readFileSync(new URL('../../../schemas/routing-rules.example.json', import.meta.url), 'utf8');

const run = (over: Partial<RunFacts> = {}): RunFacts => ({
  team: null,
  schemaId: 'disk-cleanup',
  severity: null,
  status: 'failed',
  namespace: null,
  resourceGroup: null,
  oncall: false,
  ...over,
});

/** Parses a config written as an object; a refused one fails the test with its problems. */
function rules(config: unknown): RoutingRules {
  const result = parseRoutingRules(JSON.stringify(config));
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.rules;
}

const oneRule = (when: Record<string, unknown>, notify: Record<string, unknown> = { slack: { channel: '#hit' } }) =>
  rules({ rules: [{ name: 'r', when, notify }] });

const NOTHING = { slackChannel: null, slackTeam: null, opsgenie: false, opsgenieTeam: null, pagerduty: false };
/** A run of team payments sends with that team's token and key (the default ones where it has none). */
const PAYMENTS = { slackTeam: 'payments', opsgenieTeam: 'payments' };

describe('parseRoutingRules', () => {
  it('accepts the shipped example', () => {
    const config = rules(JSON.parse(EXAMPLE));
    expect(config.rules.map((r) => r.name)).toEqual([
      'payments-critical',
      'sandbox-quiet',
      'aks-prod',
      'deploy-checks',
      'team-channels',
    ]);
    expect(config.default).toEqual({
      slack: { channel: '#cloudo' },
      opsgenie: true,
      pagerduty: false,
      statuses: ['failed', 'timed_out', 'error', 'abandoned'],
    });
  });

  it('fills every default when the config is empty, has no rules, or gives a partial default', () => {
    expect(rules({})).toEqual(DEFAULT_ROUTING);
    expect(rules({ rules: [] })).toEqual(DEFAULT_ROUTING);
    expect(DEFAULT_ROUTING).toEqual({
      rules: [],
      default: { slack: { channel: '#cloudo' }, opsgenie: true, pagerduty: true, statuses: [...FAILURE_STATUSES] },
    });
    expect(rules({ default: { pagerduty: false } }).default).toEqual({ ...DEFAULT_ROUTING.default, pagerduty: false });
    expect(rules({ rules: [{ notify: {} }] }).rules[0]?.when).toEqual({});
  });

  it('reads one value or a list alike', () => {
    const config = rules({
      rules: [{ when: { team: 'a', severity: ['Sev0', 'Sev1'], status: 'failed' }, notify: { slack: false } }],
    });
    expect(config.rules[0]?.when).toEqual({ team: ['a'], severity: ['Sev0', 'Sev1'], status: ['failed'] });
  });

  const config = (rule: Record<string, unknown>) => JSON.stringify({ rules: [{ notify: {}, ...rule }] });

  it.each([
    ['{not json', '', /not valid JSON/],
    ['[]', '', /expected object, received array/],
    [JSON.stringify({ rule: [] }), 'rule', /^unknown key "rule"$/],
    [config({ when: { sevrity: 'Sev0' } }), 'rules[0].when.sevrity', /^unknown key "sevrity"$/],
    [
      config({ when: { status: 'faild' } }),
      'rules[0].when.status',
      /^expected one of .*accepted\|running\|.*\|skipped.* or a non-empty list of them$/,
    ],
    [config({ when: { status: ['failed', 'faild'] } }), 'rules[0].when.status[1]', /Invalid option/],
    [config({ when: { team: 3 } }), 'rules[0].when.team', /expected a string or a non-empty list of them/],
    [config({ when: { team: [] } }), 'rules[0].when.team', /too small/i],
    [config({ when: { schema: 'pay*ments' } }), 'rules[0].when.schema', /"\*" may only end a pattern/],
    [config({ when: { namespace: ['ok', '*x*'] } }), 'rules[0].when.namespace[1]', /"\*" may only end a pattern/],
    [config({ when: { oncall: 'yes' } }), 'rules[0].when.oncall', /expected boolean/],
    [JSON.stringify({ rules: [{ when: {} }] }), 'rules[0].notify', /expected object, received undefined/],
    [
      config({ notify: { slack: true } }),
      'rules[0].notify.slack',
      /expected \{"channel": "#name", "team": "name"\} \(both optional\) or false/,
    ],
    [config({ notify: { slack: { team: 'pay.ments' } } }), 'rules[0].notify.slack.team', /it names SLACK_TOKEN_<TEAM>/],
    [config({ notify: { opsgenie: 'yes' } }), 'rules[0].notify.opsgenie', /expected true, false or \{"team": "name"\}/],
    [config({ notify: { opsgenie: { team: 'a', key: 'k' } } }), 'rules[0].notify.opsgenie.key', /unknown key "key"/],
    [config({ notify: { opsgenie: {} } }), 'rules[0].notify.opsgenie.team', /expected string/],
    [config({ notify: { slack: { chanel: '#x' } } }), 'rules[0].notify.slack.chanel', /unknown key "chanel"/],
    [config({ notify: { slack: { channel: 'payments' } } }), 'rules[0].notify.slack.channel', /must be "#name"/],
    [config({ notify: { slack: { channel: '#Payments' } } }), 'rules[0].notify.slack.channel', /must be "#name"/],
    [config({ notify: { pagerduty: 'true' } }), 'rules[0].notify.pagerduty', /expected boolean/],
    [config({ stop: true }), 'rules[0].stop', /unknown key "stop"/],
    [JSON.stringify({ default: { slack: { channel: '#t-{team}' } } }), 'default.slack.channel', /must be "#name"/],
    [JSON.stringify({ default: { statuses: ['nope'] } }), 'default.statuses[0]', /Invalid option/],
    [JSON.stringify({ default: { opsgenie: 1 } }), 'default.opsgenie', /expected boolean/],
    [
      JSON.stringify({
        rules: [
          { name: 'a', notify: {} },
          { name: 'a', notify: {} },
        ],
      }),
      'rules[1].name',
      /duplicate name \(first at rules\[0\]\)/,
    ],
  ])('refuses problem %# at its JSON path', (text, path, message) => {
    const result = parseRoutingRules(text);
    expect(result).toEqual({
      ok: false,
      problems: expect.arrayContaining([{ path, message: expect.stringMatching(message) }]),
    });
    expect(result).not.toHaveProperty('rules');
  });

  it('reports every problem at once, not just the first', () => {
    const result = parseRoutingRules(
      JSON.stringify({
        rules: [{ when: { sevrity: 'Sev0', status: 'faild' }, notify: { slack: { channel: 'x' } } }],
        default: { statuses: 'failed' },
      }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path).sort()).toEqual([
      'default.statuses',
      'rules[0].notify.slack.channel',
      'rules[0].when.sevrity',
      'rules[0].when.status',
    ]);
  });
});

describe('routeRun', () => {
  it('by default posts failures to the default channel and pages nobody for a non-on-call run', () => {
    for (const status of FAILURE_STATUSES) {
      expect(routeRun(DEFAULT_ROUTING, run({ status }))).toEqual({
        ...NOTHING,
        slackChannel: '#cloudo',
        opsgenie: false,
        pagerduty: false,
        matched: 'default',
      });
    }
  });

  it.each(['succeeded', 'cancelled', 'skipped', 'unmatched'])('by default says nothing about a %s run', (status) => {
    expect(routeRun(DEFAULT_ROUTING, run({ status }))).toEqual({ ...NOTHING, matched: 'default' });
    expect(routeRun(DEFAULT_ROUTING, run({ status, oncall: true }))).toEqual({ ...NOTHING, matched: 'default' });
  });

  it('announces alerts nobody handles only where a rule names the unmatched status', () => {
    const unmatched = run({ schemaId: '', status: 'unmatched', severity: 'critical' });
    // the shipped example routes teams, namespaces and resource groups, none of them unmatched alerts
    expect(routeRun(rules(JSON.parse(EXAMPLE)), unmatched)).toEqual({ ...NOTHING, matched: 'default' });
    expect(routeRun(oneRule({ status: 'unmatched' }, {}), unmatched)).toEqual({
      ...NOTHING,
      slackChannel: '#cloudo',
      opsgenie: false,
      pagerduty: false,
      matched: 'r',
    });
    expect(routeRun(oneRule({ status: 'unmatched', severity: 'critical' }, { opsgenie: true }), unmatched)).toEqual({
      ...NOTHING,
      slackChannel: '#cloudo',
      opsgenie: true,
      pagerduty: false,
      matched: 'r',
    });
  });

  it('by default posts and pages Opsgenie and PagerDuty for an on-call failure', () => {
    expect(routeRun(DEFAULT_ROUTING, run({ status: 'timed_out', oncall: true }))).toEqual({
      ...NOTHING,
      slackChannel: '#cloudo',
      opsgenie: true,
      pagerduty: true,
      matched: 'default',
    });
  });

  it('lets the first matching rule win', () => {
    const first = { name: 'payments', when: { team: 'payments' }, notify: { slack: { channel: '#payments' } } };
    const second = { name: 'sev0', when: { severity: 'Sev0' }, notify: { slack: { channel: '#sev0' } } };
    const facts = run({ team: 'payments', severity: 'Sev0' });
    expect(routeRun(rules({ rules: [first, second] }), facts)).toMatchObject({
      slackChannel: '#payments',
      matched: 'payments',
    });
    expect(routeRun(rules({ rules: [second, first] }), facts)).toMatchObject({
      slackChannel: '#sev0',
      matched: 'sev0',
    });
    expect(routeRun(rules({ rules: [first, second] }), run({ severity: 'Sev0' }))).toMatchObject({ matched: 'sev0' });
  });

  it('names an unnamed rule by its path', () => {
    const config = rules({ rules: [{ when: { team: 'x' }, notify: {} }, { notify: { slack: { channel: '#b' } } }] });
    expect(routeRun(config, run())).toMatchObject({ slackChannel: '#b', matched: 'rules[1]' });
  });

  it.each<[string, Record<string, unknown>, Partial<RunFacts>, Partial<RunFacts>]>([
    ['team, case-insensitive', { team: 'Payments' }, { team: 'payments' }, { team: 'payments-eu' }],
    ['team list', { team: ['search', 'payments'] }, { team: 'PAYMENTS' }, { team: 'billing' }],
    ['team glob', { team: 'pay*' }, { team: 'Payments-EU' }, { team: 'billing' }],
    ['any team', { team: '*' }, { team: 'x' }, { team: null }],
    ['schema, exact', { schema: 'disk-cleanup' }, { schemaId: 'disk-cleanup' }, { schemaId: 'Disk-Cleanup' }],
    ['schema glob', { schema: 'disk-*' }, { schemaId: 'disk-cleanup' }, { schemaId: 'Disk-cleanup' }],
    ['severity, case-insensitive', { severity: 'sev0' }, { severity: 'Sev0' }, { severity: 'Sev1' }],
    ['severity list', { severity: ['Sev0', 'critical'] }, { severity: 'Critical' }, { severity: null }],
    ['status', { status: 'timed_out' }, { status: 'timed_out' }, { status: 'failed' }],
    ['status list', { status: ['error', 'succeeded'] }, { status: 'succeeded' }, { status: 'failed' }],
    ['namespace, exact', { namespace: 'prod' }, { namespace: 'prod' }, { namespace: 'Prod' }],
    ['namespace glob', { namespace: 'prod-*' }, { namespace: 'prod-eu' }, { namespace: 'preprod-eu' }],
    ['namespace, none', { namespace: '*' }, { namespace: 'default' }, { namespace: null }],
    ['resource group, case-insensitive', { resource_group: 'RG-Prod' }, { resourceGroup: 'rg-prod' }, {}],
    ['resource group glob', { resource_group: 'rg-prod-*' }, { resourceGroup: 'RG-PROD-WEU' }, { resourceGroup: 'rg' }],
    ['oncall', { oncall: false }, { oncall: false }, { oncall: true }],
    ['all together', { team: 'a', schema: 'disk-*' }, { team: 'A' }, { team: 'A', schemaId: 'other' }],
  ])('matches on %s', (_, when, hit, miss) => {
    const config = oneRule(when);
    expect(routeRun(config, run(hit))).toMatchObject({ slackChannel: '#hit', matched: 'r' });
    expect(routeRun(config, run(miss))).toMatchObject({ slackChannel: '#cloudo', matched: 'default' });
  });

  it('applies a rule without a status only to runs the default notifies about', () => {
    const config = oneRule({ team: 'payments' });
    expect(routeRun(config, run({ team: 'payments', status: 'succeeded' }))).toEqual({
      ...NOTHING,
      ...PAYMENTS,
      matched: 'default',
    });
    expect(routeRun(config, run({ team: 'payments', status: 'error' }))).toMatchObject({ slackChannel: '#hit' });
    // an on-call failure counts even when default.statuses leaves its status out
    const quiet = rules({ rules: [{ name: 'r', notify: { slack: { channel: '#hit' } } }], default: { statuses: [] } });
    expect(routeRun(quiet, run({ oncall: true }))).toMatchObject({ slackChannel: '#hit', matched: 'r' });
  });

  it('posts to a team channel, and to the default one when the team cannot name a channel', () => {
    const config = oneRule({}, { slack: { channel: '#team-{team}' } });
    expect(routeRun(config, run({ team: 'Payments_EU' }))).toMatchObject({ slackChannel: '#team-payments_eu' });
    for (const team of [null, 'a b', '../x', '#ops', 'x'.repeat(65), 'é']) {
      expect(routeRun(config, run({ team }))).toMatchObject({ slackChannel: '#cloudo', matched: 'r' });
    }
    expect(routeRun(config, run({ team: 'x'.repeat(64) })).slackChannel).toBe(`#team-${'x'.repeat(64)}`);
    const long = oneRule({}, { slack: { channel: `#${'l'.repeat(30)}-{team}` } });
    expect(routeRun(long, run({ team: 'x'.repeat(50) })).slackChannel).toBe('#cloudo'); // an 81-character name: too long
    const noDefault = rules({ rules: [{ notify: { slack: { channel: '#t-{team}' } } }], default: { slack: false } });
    expect(routeRun(noDefault, run({ team: null })).slackChannel).toBeNull();
  });

  it('sends as the team a target names, else as the run’s, and posts to the team’s channel where none is named', () => {
    const channels: Record<string, string> = { payments: '#payments', ops: '#ops-room' };
    const channelOf = (team: string) => channels[team] ?? null;
    // no rule: a team's failures go to its own channel (SLACK_CHANNEL_<TEAM>), with its token and key
    expect(routeRun(DEFAULT_ROUTING, run({ team: 'payments', oncall: true }), channelOf)).toEqual({
      ...PAYMENTS,
      slackChannel: '#payments',
      opsgenie: true,
      pagerduty: true,
      matched: 'default',
    });
    // a rule's team wins over the run's, and its channel stands in where the rule names none
    const named = oneRule({}, { slack: { team: 'ops' }, opsgenie: { team: 'ops' } });
    expect(routeRun(named, run({ team: 'payments' }), channelOf)).toMatchObject({
      slackChannel: '#ops-room',
      slackTeam: 'ops',
      opsgenie: true,
      opsgenieTeam: 'ops',
    });
    // a channel the rule names wins over the team's; Opsgenie still pages as the run's team
    const both = oneRule({}, { slack: { channel: '#hit', team: 'ops' }, opsgenie: true });
    expect(routeRun(both, run({ team: 'payments' }), channelOf)).toMatchObject({
      slackChannel: '#hit',
      slackTeam: 'ops',
      opsgenieTeam: 'payments',
    });
    // a team without a channel posts to the default one; a default of false stays silent for every team
    expect(routeRun(DEFAULT_ROUTING, run({ team: 'search' }), channelOf)).toMatchObject({
      slackChannel: '#cloudo',
      slackTeam: 'search',
    });
    expect(
      routeRun(rules({ default: { slack: false } }), run({ team: 'payments' }), channelOf).slackChannel,
    ).toBeNull();
  });

  it('gives targets a rule omits their default behaviour', () => {
    const config = oneRule({}, { slack: { channel: '#hit' } });
    expect(routeRun(config, run({ oncall: true }))).toEqual({
      ...NOTHING,
      slackChannel: '#hit',
      opsgenie: true,
      pagerduty: true,
      matched: 'r',
    });
    expect(routeRun(config, run({ oncall: false }))).toEqual({ ...NOTHING, slackChannel: '#hit', matched: 'r' });
    expect(routeRun(oneRule({}, {}), run())).toMatchObject({ slackChannel: '#cloudo', matched: 'r' });
    expect(routeRun(oneRule({}, { opsgenie: true }), run())).toMatchObject({ opsgenie: true, pagerduty: false });
  });

  it('always notifies about an on-call failure, even when a rule routes it nowhere', () => {
    const silence = {
      name: 'silence',
      when: { status: [...FAILURE_STATUSES, 'succeeded'] },
      notify: { slack: false, opsgenie: false, pagerduty: false },
    };
    const config = rules({ rules: [silence] });
    for (const status of FAILURE_STATUSES) {
      expect(routeRun(config, run({ status, oncall: true }))).toEqual({
        ...NOTHING,
        slackChannel: '#cloudo',
        opsgenie: true,
        pagerduty: true,
        matched: 'silence',
      });
      expect(routeRun(config, run({ status, oncall: false }))).toEqual({ ...NOTHING, matched: 'silence' });
    }
    expect(routeRun(config, run({ status: 'succeeded', oncall: true }))).toEqual({ ...NOTHING, matched: 'silence' });
    // the floor is the default: a rule's own channel stays, and paging the default turns off stays off
    const teamOnly = rules({
      rules: [{ name: 't', notify: { slack: { channel: '#t' }, opsgenie: false } }],
      default: { slack: false, pagerduty: false },
    });
    expect(routeRun(teamOnly, run({ oncall: true }))).toEqual({
      ...NOTHING,
      slackChannel: '#t',
      opsgenie: true,
      pagerduty: false,
      matched: 't',
    });
    const allOff = rules({ rules: [silence], default: { slack: false, opsgenie: false, pagerduty: false } });
    expect(routeRun(allOff, run({ oncall: true }))).toEqual({ ...NOTHING, matched: 'silence' });
  });

  it('always sends an approval request to Slack, to the channel a rule picks, and pages nobody', () => {
    const request = (facts: Partial<RunFacts>) => run({ status: 'pending_approval', oncall: true, ...facts });
    expect(routeRun(DEFAULT_ROUTING, request({}))).toEqual({ ...NOTHING, slackChannel: '#cloudo', matched: 'default' });
    // a team rule without a status condition picks the channel, as it does for the failures it routes
    const team = rules({
      rules: [{ name: 'team', when: { team: 'pay*' }, notify: { slack: { channel: '#team-{team}' } } }],
    });
    expect(routeRun(team, request({ team: 'payments' }))).toEqual({
      ...NOTHING,
      ...PAYMENTS,
      slackChannel: '#team-payments',
      matched: 'team',
    });
    // neither silenced nor turned into a page by a rule
    const loud = rules({ rules: [{ name: 'loud', notify: { slack: false, opsgenie: true, pagerduty: true } }] });
    expect(routeRun(loud, request({}))).toEqual({ ...NOTHING, slackChannel: '#cloudo', matched: 'loud' });
    const quiet = rules({ default: { statuses: [], slack: { channel: '#ops' } } });
    expect(routeRun(quiet, request({ oncall: false }))).toMatchObject({ slackChannel: '#ops' });
  });

  it('posts the statuses the config asks for', () => {
    const config = rules({ default: { statuses: ['failed', 'succeeded'] } });
    expect(routeRun(config, run({ status: 'succeeded' }))).toMatchObject({ slackChannel: '#cloudo' });
    expect(routeRun(config, run({ status: 'timed_out' }))).toMatchObject({ slackChannel: null });
    expect(routeRun(config, run({ status: 'timed_out', oncall: true }))).toMatchObject({ slackChannel: '#cloudo' });
    const none = rules({ default: { statuses: [] } });
    expect(routeRun(none, run({ status: 'failed' }))).toEqual({ ...NOTHING, matched: 'default' });
    expect(routeRun(none, run({ status: 'failed', oncall: true }))).toMatchObject({ slackChannel: '#cloudo' });
  });

  it('routes runs through the shipped example', () => {
    const config = rules(JSON.parse(EXAMPLE));
    const route = (facts: Partial<RunFacts>) => routeRun(config, run(facts));
    expect(route({ team: 'payments', severity: 'sev1', oncall: true })).toEqual({
      ...NOTHING,
      ...PAYMENTS,
      slackChannel: '#payments-oncall',
      opsgenie: true,
      pagerduty: true,
      matched: 'payments-critical',
    });
    expect(route({ resourceGroup: 'RG-Sandbox-42' })).toEqual({ ...NOTHING, matched: 'sandbox-quiet' });
    // sandbox-quiet is for non-on-call runs only; an on-call failure there falls to the default
    expect(route({ resourceGroup: 'rg-sandbox-42', oncall: true })).toEqual({
      ...NOTHING,
      slackChannel: '#cloudo',
      opsgenie: true,
      pagerduty: false,
      matched: 'default',
    });
    expect(route({ namespace: 'prod-eu', team: 'search' })).toMatchObject({ slackChannel: '#k8s-prod' });
    expect(route({ schemaId: 'deploy-check-api', status: 'succeeded' })).toMatchObject({ slackChannel: '#deploys' });
    expect(route({ team: 'search' })).toMatchObject({ slackChannel: '#team-search', matched: 'team-channels' });
    expect(route({ team: 'search', status: 'succeeded' })).toEqual({
      ...NOTHING,
      slackTeam: 'search',
      opsgenieTeam: 'search',
      matched: 'default',
    });
    expect(route({})).toEqual({ ...NOTHING, slackChannel: '#cloudo', matched: 'default' });
  });
});
