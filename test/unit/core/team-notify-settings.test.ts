import { describe, expect, it } from 'vitest';
import { describeSettings } from '../../../src/core/masked-settings.js';
import { loadAppSettings } from '../../../src/core/settings.js';
import { readTeamNotifySettings, teamSettingKey } from '../../../src/core/team-notify-settings.js';
import { settingsProblems } from '../../support/settings-problems.js';

const CONN = 'DefaultEndpointsProtocol=http;AccountName=a;AccountKey=a2V5;QueueEndpoint=http://127.0.0.1:1/a';
const BASE = { AzureWebJobsStorage: CONN, CLOUDO_ENV: 'development' };
const OPSGENIE_KEY = '0b6a8c52-1d9e-4f3a-9c8b-7e6d5c4b3a21';

/** Per-team Slack tokens, Opsgenie keys and channels, named as the original ClouDO named them. */
describe('team notification settings', () => {
  it('names a team’s settings as the original did: upper case, "-" as "_"', () => {
    expect(teamSettingKey('payments-eu')).toBe('PAYMENTS_EU');
    expect(teamSettingKey('Payments_EU')).toBe('PAYMENTS_EU');
  });

  it('reads SLACK_TOKEN_<TEAM>, OPSGENIE_API_KEY_<TEAM> and SLACK_CHANNEL_<TEAM> from the environment', () => {
    const problems: string[] = [];
    const teams = readTeamNotifySettings(
      {
        SLACK_TOKEN_PAYMENTS: 'xoxb-payments',
        SLACK_CHANNEL_PAYMENTS: '#payments',
        OPSGENIE_API_KEY_PAYMENTS_EU: 'eu_key',
        SLACK_CHANNEL_OPS: 'C0123456789',
        // the defaults and our own names are no teams
        SLACK_TOKEN_DEFAULT: 'xoxb-default',
        SLACK_CHANNEL_DEFAULT: '#cloudo',
        OPSGENIE_API_KEY_DEFAULT: 'k',
        SLACK_API_URL: 'https://slack.com/api/',
        OPSGENIE_API_URL: 'https://api.opsgenie.com',
      },
      problems,
    );
    expect(problems).toEqual([]);
    expect(Object.fromEntries(teams)).toEqual({
      PAYMENTS: { slackToken: 'xoxb-payments', slackChannel: '#payments', opsgenieApiKey: null },
      PAYMENTS_EU: { slackToken: null, slackChannel: null, opsgenieApiKey: 'eu_key' },
      OPS: { slackToken: null, slackChannel: 'C0123456789', opsgenieApiKey: null },
    });
  });

  it('refuses a team setting it could never look up, and a channel Slack would refuse, naming the fix', () => {
    const problems: string[] = [];
    readTeamNotifySettings(
      { SLACK_TOKEN_payments: 'xoxb-1', 'SLACK_CHANNEL_OPS.EU': '#ops', SLACK_CHANNEL_DBA: 'dba team' },
      problems,
    );
    expect(problems).toEqual([
      'SLACK_CHANNEL_DBA must be "#name" (lowercase, digits, "-", "_") or a channel id, not "dba team"',
      'SLACK_CHANNEL_OPS.EU: a team’s setting is named with upper-case letters, digits and "_" ("-" in a team name becomes "_"), e.g. SLACK_CHANNEL_OPS_EU',
      'SLACK_TOKEN_payments: a team’s setting is named with upper-case letters, digits and "_" ("-" in a team name becomes "_"), e.g. SLACK_TOKEN_PAYMENTS',
    ]);
  });

  it('never puts a secret in a problem', () => {
    const problems = settingsProblems(() =>
      loadAppSettings({ ...BASE, SLACK_TOKEN_payments: 'xoxb-very-secret', OPSGENIE_API_KEY_x: 'sekrit-key' }),
    );
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).not.toMatch(/very-secret|sekrit/);
  });

  it('stops start-up on an unresolved Key Vault reference in a team’s secret, as for every other secret', () => {
    const ref = '@Microsoft.KeyVault(SecretUri=https://ops-kv.vault.azure.net/secrets/slack-token-payments)';
    expect(settingsProblems(() => loadAppSettings({ ...BASE, SLACK_TOKEN_PAYMENTS: ref }))).toEqual([
      expect.stringMatching(/^SLACK_TOKEN_PAYMENTS is an unresolved Key Vault reference .* on the vault ops-kv/),
    ]);
    // resolved, App Service passes the secret itself
    expect(loadAppSettings({ ...BASE, SLACK_TOKEN_PAYMENTS: 'xoxb-2' }).notify.teams.get('PAYMENTS')?.slack).toEqual({
      token: 'xoxb-2',
      apiUrl: 'https://slack.com/api/',
    });
  });

  it('takes the original’s SLACK_TOKEN_DEFAULT and OPSGENIE_API_KEY_DEFAULT; ours win when both are set', () => {
    const original = loadAppSettings({ ...BASE, SLACK_TOKEN_DEFAULT: 'xoxb-d', OPSGENIE_API_KEY_DEFAULT: 'og-d' });
    expect(original.notify.slack?.token).toBe('xoxb-d');
    expect(original.notify.opsgenie?.apiKey).toBe('og-d');
    const both = loadAppSettings({
      ...BASE,
      SLACK_TOKEN_DEFAULT: 'xoxb-d',
      SLACK_TOKEN: 'xoxb-ours',
      OPSGENIE_API_KEY_DEFAULT: 'og-d',
      OPSGENIE_API_KEY: 'og-ours',
    });
    expect(both.notify.slack?.token).toBe('xoxb-ours');
    expect(both.notify.opsgenie?.apiKey).toBe('og-ours');
    // the buttons' rule sees the alias as the bot token too
    expect(
      settingsProblems(() => loadAppSettings({ ...BASE, SLACK_TOKEN_DEFAULT: 'xoxb-d', SLACK_SIGNING_SECRET: 's' })),
    ).toEqual([]);
  });

  it('picks the Opsgenie endpoint: OPSGENIE_API_URL, else EU for OPSGENIE_REGION=eu or an eu_ key, else US', () => {
    const url = (env: Record<string, string>) => loadAppSettings({ ...BASE, ...env }).notify.opsgenie?.apiUrl;
    expect(url({ OPSGENIE_API_KEY: OPSGENIE_KEY })).toBe('https://api.opsgenie.com');
    expect(url({ OPSGENIE_API_KEY: OPSGENIE_KEY, OPSGENIE_REGION: 'eu' })).toBe('https://api.eu.opsgenie.com');
    // the original compared it upper-cased: its EU still reads as eu
    expect(url({ OPSGENIE_API_KEY: OPSGENIE_KEY, OPSGENIE_REGION: 'EU' })).toBe('https://api.eu.opsgenie.com');
    expect(url({ OPSGENIE_API_KEY: `eu_${OPSGENIE_KEY}` })).toBe('https://api.eu.opsgenie.com');
    expect(
      url({ OPSGENIE_API_KEY: OPSGENIE_KEY, OPSGENIE_REGION: 'eu', OPSGENIE_API_URL: 'https://jsm.example' }),
    ).toBe('https://jsm.example');
    // a team's key picks its own endpoint by the same rule
    const teams = loadAppSettings({ ...BASE, OPSGENIE_API_KEY_A: OPSGENIE_KEY, OPSGENIE_API_KEY_B: 'eu_x' }).notify
      .teams;
    expect(teams.get('A')?.opsgenie?.apiUrl).toBe('https://api.opsgenie.com');
    expect(teams.get('B')?.opsgenie?.apiUrl).toBe('https://api.eu.opsgenie.com');
    expect(settingsProblems(() => loadAppSettings({ ...BASE, OPSGENIE_REGION: 'apac' }))).toEqual([
      'OPSGENIE_REGION="apac" is invalid: use us or eu',
    ]);
  });

  it('warns at start-up about a team a rule names whose secret is not set: it uses the default one', () => {
    const rules = JSON.stringify({
      rules: [
        {
          name: 'pay',
          when: { team: 'payments' },
          notify: { slack: { team: 'payments' }, opsgenie: { team: 'pay-eu' } },
        },
      ],
    });
    const settings = loadAppSettings({
      ...BASE,
      SLACK_TOKEN: 'xoxb-d',
      OPSGENIE_API_KEY: OPSGENIE_KEY,
      CLOUDO_ROUTING_RULES: rules,
      SLACK_CHANNEL_PAYMENTS: '#payments',
    });
    expect(settings.notify.warnings).toEqual([
      'routing rule "pay" sends Slack as team "payments", but SLACK_TOKEN_PAYMENTS is not set: it uses the default token (SLACK_TOKEN)',
      'routing rule "pay" pages Opsgenie as team "pay-eu", but OPSGENIE_API_KEY_PAY_EU is not set: it uses the default key (OPSGENIE_API_KEY)',
    ]);
    const configured = loadAppSettings({
      ...BASE,
      CLOUDO_ROUTING_RULES: rules,
      SLACK_TOKEN_PAYMENTS: 'xoxb-p',
      OPSGENIE_API_KEY_PAY_EU: OPSGENIE_KEY,
    });
    expect(configured.notify.warnings).toEqual([]);
  });

  it('shows teams on the settings page with every secret masked', () => {
    const settings = loadAppSettings({
      ...BASE,
      SLACK_TOKEN: 'xoxb-default-secret',
      SLACK_TOKEN_PAYMENTS: 'xoxb-team-secret',
      SLACK_CHANNEL_PAYMENTS: '#payments',
      OPSGENIE_API_KEY_DEFAULT: 'og-default-secret',
      OPSGENIE_API_KEY_PAYMENTS: 'eu_og-team-secret',
      OPSGENIE_REGION: 'eu',
    });
    const shown = describeSettings(settings);
    expect(JSON.stringify(shown)).not.toMatch(/default-secret|team-secret/);
    expect(shown.notify.opsgenie).toEqual({ api_key: '*** (set)', api_url: 'https://api.eu.opsgenie.com' });
    expect(shown.notify.teams).toEqual({
      PAYMENTS: {
        slack_token: '*** (set)',
        slack_channel: '#payments',
        opsgenie_api_key: '*** (set)',
        opsgenie_api_url: 'https://api.eu.opsgenie.com',
      },
    });
  });
});
