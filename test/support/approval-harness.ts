import type { NotifySettings } from '../../src/core/notify-settings.js';
import { parseRoutingRules } from '../../src/core/routing-rules.js';
import { resultsFunction } from '../../src/functions/results.js';
import { decodeMessage } from '../../src/storage/job-queue.js';
import type { FakeOpsgenie } from './fake-opsgenie.js';
import { startFakeOpsgenie } from './fake-opsgenie.js';
import type { FakeSlack } from './fake-slack.js';
import { startFakeSlack } from './fake-slack.js';
import { bearerFor, deliverMessage, testServices } from './functions.js';
import { testSchema } from './schemas.js';
import type { SecuredApp } from './secured-app.js';
import { FUNCTION_KEY, startSecuredApp } from './secured-app.js';
import type { TestStorage } from './storage.js';
import { createTestStorage } from './storage.js';

/** Where the links in messages point. */
export const PUBLIC_URL = 'https://cloudo.example';
/** The people of the approval tests; alice asks, bob, carol and dan decide. */
export const PEOPLE = ['alice', 'bob', 'carol', 'dan'] as const;

/**
 * Gated runs end to end with Slack and Opsgenie fakes: the secured app (trigger, decisions) and the
 * results function, fed by hand from the results queue so a test decides the order and the repeats.
 */
export interface ApprovalHarness {
  readonly t: TestStorage;
  readonly slack: FakeSlack;
  readonly opsgenie: FakeOpsgenie;
  readonly app: SecuredApp;
  readonly notify: NotifySettings;
  /** Authorization header values by person (API tokens owned by `<name>@contoso.com`). */
  readonly as: Readonly<Record<string, string>>;
  /** Triggers `schemaId` as `who` for `team`; the execution id. */
  trigger(schemaId: string, team?: string, who?: string): Promise<string>;
  /** `POST /api/approvals/{execId}` as `who`. */
  decide(who: string, execId: string, body: object): Promise<Response>;
  /** Takes every message off the results queue, in queue order, without handling them. */
  drainResults(): Promise<unknown[]>;
  /** Hands one results message to the results function, as the host would on delivery `dequeueCount`. */
  deliver(message: unknown, dequeueCount?: number): Promise<void>;
  /** drainResults, then deliver each once, in order. */
  deliverResults(): Promise<unknown[]>;
  close(): Promise<void>;
}

/**
 * `signingSecret`: Slack interactivity on (`SLACK_SIGNING_SECRET`); default off. `teamSlackTokens`: teams
 * with a bot token of their own (`SLACK_TOKEN_<TEAM>`, by `teamSettingKey`), which the fake Slack accepts too.
 */
export async function startApprovalHarness(
  options: { signingSecret?: string; teamSlackTokens?: Readonly<Record<string, string>> } = {},
): Promise<ApprovalHarness> {
  const t = await createTestStorage();
  const slack = await startFakeSlack({ channels: ['#cloudo', '#team-payments'] });
  const opsgenie = await startFakeOpsgenie();
  const rules = parseRoutingRules(
    JSON.stringify({ rules: [{ name: 'teams', when: { team: '*' }, notify: { slack: { channel: '#team-{team}' } } }] }),
  );
  if (!rules.ok) throw new Error(JSON.stringify(rules.problems));
  const notify: NotifySettings = {
    slack: {
      token: slack.token,
      apiUrl: slack.apiUrl,
      defaultChannel: '#cloudo',
      signingSecret: options.signingSecret ?? null,
    },
    opsgenie: { apiKey: opsgenie.apiKey, apiUrl: opsgenie.apiUrl },
    pagerduty: null,
    publicUrl: PUBLIC_URL,
    routing: rules.rules,
    teams: new Map(
      Object.entries(options.teamSlackTokens ?? {}).map(([key, token]) => {
        slack.validTokens.add(token);
        return [key, { slack: { token, apiUrl: slack.apiUrl }, slackChannel: null, opsgenie: null }];
      }),
    ),
    warnings: [],
  };
  await t.storage.schemas.importSchemas([
    testSchema({ id: 'gated', requireApproval: true }),
    testSchema({
      id: 'named',
      requireApproval: true,
      approvers: ['user:bob@contoso.com', 'user:carol@contoso.com'],
      rejectReasonRequired: false,
    }),
    testSchema({
      id: 'two-of-three',
      requireApproval: true,
      minApprovals: 2,
      approvers: ['user:bob@contoso.com', 'user:carol@contoso.com', 'user:dan@contoso.com'],
    }),
    testSchema({ id: 'oncall-gated', requireApproval: true, oncall: true }),
  ]);
  const app = await startSecuredApp(t, {}, {}, notify);
  const results = resultsFunction(testServices(t, { notify }), t.settings.namespace);
  const as: Record<string, string> = {};
  for (const name of PEOPLE) as[name] = await bearerFor(t, 'operator', `${name}@contoso.com`);
  const queue = t.storage.clients.queue(t.storage.names.resultsQueue);

  const drainResults = async () => {
    const drained: unknown[] = [];
    for (;;) {
      const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32 });
      if (receivedMessageItems.length === 0) return drained;
      for (const item of receivedMessageItems) {
        drained.push(decodeMessage(item.messageText));
        await queue.deleteMessage(item.messageId, item.popReceipt);
      }
    }
  };
  const deliver = (message: unknown, dequeueCount = 1) => deliverMessage(results, message, dequeueCount);
  return {
    t,
    slack,
    opsgenie,
    app,
    notify,
    as,
    async trigger(schemaId, team, who = 'alice') {
      const path = team ? `/api/Trigger/${team}?id=${schemaId}` : `/api/Trigger?id=${schemaId}`;
      const res = await app.fetch(path, { headers: { authorization: as[who] ?? '', 'x-functions-key': FUNCTION_KEY } });
      if (res.status !== 202) throw new Error(`trigger ${schemaId}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { exec_id: string }).exec_id;
    },
    decide: (who, execId, body) =>
      app.fetch(`/api/approvals/${execId}`, {
        method: 'POST',
        headers: { authorization: as[who] ?? '', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    drainResults,
    deliver,
    async deliverResults() {
      const messages = await drainResults();
      for (const message of messages) await deliver(message);
      return messages;
    },
    async close() {
      await app.close();
      await slack.close();
      await opsgenie.close();
      await t.cleanup();
    },
  };
}
