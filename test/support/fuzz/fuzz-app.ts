import type { Role } from '../../../src/core/access.js';
import { issueApiToken } from '../../../src/core/api-token.js';
import { DEFAULT_ROUTING } from '../../../src/core/routing-rules.js';
import { ScheduleEntry } from '../../../src/core/schedule.js';
import type { FakeSlack } from '../fake-slack.js';
import { startFakeSlack } from '../fake-slack.js';
import { SECURED } from '../functions.js';
import { testSchema } from '../schemas.js';
import type { SecuredApp } from '../secured-app.js';
import { FUNCTION_KEY, startSecuredApp } from '../secured-app.js';
import type { TestStorage } from '../storage.js';
import { createTestStorage } from '../storage.js';
import type { FuzzWorld } from './world.js';

/** The app's body limit: small, so generic bodies straddle it cheaply. */
export const FUZZ_MAX_BODY_BYTES = 4096;
const CORS_ORIGIN = 'https://console.example';
const PUBLIC_URL = 'https://cloudo.example';
const SLACK_SECRET = 'fuzz-slack-signing-secret-0123456789';

export interface FuzzApp {
  readonly t: TestStorage;
  readonly app: SecuredApp;
  readonly world: FuzzWorld;
  /** The cancelled run and the length of its log, in bytes. */
  readonly finished: { readonly execId: string; readonly logBytes: number };
  close(): Promise<void>;
}

/**
 * The real app, secured as in production and with every optional door open so the fuzz can knock on it:
 * App Service Authentication trusted (the principal header is read), a CORS origin, Slack interactivity
 * (against a fake Slack). A few runs exist in each state a route cares about: queued, waiting for
 * approval (by anyone, or by one named person), cancelled.
 */
export async function startFuzzApp(): Promise<FuzzApp> {
  const t = await createTestStorage();
  const slack: FakeSlack = await startFakeSlack({ channels: ['#cloudo'] });
  slack.users.set('U0BOB', 'bob@contoso.com');
  slack.users.set('U0NOMAIL', null);
  await t.storage.schemas.importSchemas([
    testSchema({ id: 'hello' }),
    testSchema({ id: 'gated', requireApproval: true, rejectReasonRequired: false }),
    testSchema({ id: 'named', requireApproval: true, approvers: ['user:bob@contoso.com'] }),
  ]);
  // a schedule of each origin: the file's refuse PUT and DELETE, the API's take them
  await t.storage.schedules.importFromFile([
    {
      schemaId: 'hello',
      entry: ScheduleEntry.parse({ id: 'file-nightly', cron: '30 2 * * *', timezone: 'Europe/Rome' }),
    },
  ]);
  await t.storage.schedules.put({
    schemaId: 'hello',
    entry: ScheduleEntry.parse({ id: 'api-hourly', cron: '@hourly' }),
  });
  const app = await startSecuredApp(
    t,
    { trustEasyAuth: true, corsOrigins: [CORS_ORIGIN] },
    {},
    {
      slack: { token: slack.token, apiUrl: slack.apiUrl, defaultChannel: '#cloudo', signingSecret: SLACK_SECRET },
      opsgenie: null,
      pagerduty: null,
      publicUrl: PUBLIC_URL,
      routing: DEFAULT_ROUTING,
      teams: new Map(),
      warnings: [],
    },
    { maxBodyBytes: FUZZ_MAX_BODY_BYTES },
  );
  const bearers = await Promise.all(
    (['viewer', 'operator', 'operator', 'admin'] as const satisfies readonly Role[]).map(async (role, i) => {
      const { token, record } = issueApiToken({ role, owner: `${role}${i}@contoso.com`, expiresAt: null });
      await t.storage.tokens.create(record);
      return { header: `Bearer ${token}`, callerId: `${record.owner} (token ${record.id})` };
    }),
  );
  const trigger = async (schemaId: string) => {
    const res = await app.fetch(`/api/Trigger?id=${schemaId}`, { headers: { 'x-functions-key': FUNCTION_KEY } });
    if (res.status !== 202) throw new Error(`seeding ${schemaId}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { exec_id: string }).exec_id;
  };
  const execIds = [await trigger('hello'), await trigger('gated'), await trigger('named'), await trigger('hello')];
  const cancelled = execIds[3] ?? '';
  const cancel = await app.fetch(`/api/executions/${cancelled}/cancel`, {
    method: 'POST',
    headers: { authorization: bearers[1]?.header ?? '' },
  });
  if (cancel.status !== 200) throw new Error(`seeding a cancelled run: ${cancel.status}`);
  // a log with terminal escapes and markup, for the raw log, the run page and the stream
  await t.storage.logs.create(cancelled);
  const log = Buffer.from('line 1\n\u001b[31mred\u001b[0m <b>bold</b>\n\u001b]0;title\u0007done\n');
  await t.storage.logs.append(cancelled, log);
  return {
    t,
    app,
    finished: { execId: cancelled, logBytes: log.length },
    world: {
      execIds,
      schemaIds: ['hello', 'gated', 'named'],
      scheduleIds: ['file-nightly', 'api-hourly'],
      bearers,
      functionKey: FUNCTION_KEY,
      trustedOrigins: [app.host.url, CORS_ORIGIN, PUBLIC_URL],
      formKey: SECURED.signingKey ?? '',
      slack: {
        signingSecret: SLACK_SECRET,
        userIds: ['U0BOB', 'U0NOMAIL', 'U0NOBODY'],
        responseUrl: `${new URL(slack.apiUrl).origin}/actions/fuzz`,
      },
    },
    async close() {
      await app.close();
      await slack.close();
      await t.cleanup();
    },
  };
}
