import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTerminal } from '../../src/core/execution.js';
import { planRun } from '../../src/core/run-plan.js';
import { RunDispatcher } from '../../src/runs/index.js';
import { bearerFor } from '../support/functions.js';
import { HTTP_TRIGGER, testSchema } from '../support/schemas.js';
import type { SecuredApp } from '../support/secured-app.js';
import { FUNCTION_KEY, startSecuredApp } from '../support/secured-app.js';
import type { TestStorage } from '../support/storage.js';
import { createTestStorage } from '../support/storage.js';

/**
 * No input leaves a run that nothing will ever move: a body too deep to store is refused before anything
 * is written, and a failure after the row is written ends the row with the reason.
 */
describe('runs that would be stuck accepted', () => {
  let t: TestStorage;
  let app: SecuredApp;
  let operator: string;

  beforeAll(async () => {
    t = await createTestStorage();
    await t.storage.schemas.importSchemas([testSchema({ id: 'hello', concurrency: 'skip', dedupeWindowMinutes: 0 })]);
    // a body the size of an alert group, so only its depth is out of bounds
    app = await startSecuredApp(t, { trustEasyAuth: false });
    operator = await bearerFor(t, 'operator');
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  const runs = async () => (await t.storage.executions.list({ limit: 50 })).executions;

  it('refuses a body nested deeper than the limit with 400 naming it, and writes nothing', async () => {
    const depth = 1000;
    const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const res = await app.fetch('/api/Trigger?id=hello', {
      method: 'POST',
      headers: { authorization: operator, 'x-functions-key': FUNCTION_KEY },
      body: `{"alerts":[{"labels":{"alertname":"x"},"status":"firing","annotations":{"deep":${nested}}}]}`,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'request body nests deeper than 64 levels' });
    expect(await runs()).toEqual([]);
  });

  it.each([
    ['accepted', false],
    ['pending_approval', true],
  ])('ends a run (%s) whose alert payload cannot be stored as error, with the reason', async (_status, gated) => {
    const plan = planRun(testSchema({ id: 'hello', requireApproval: gated }), HTTP_TRIGGER);
    await expect(
      new RunDispatcher(t.storage).dispatch(plan, async () => {
        throw new Error('payload store unavailable');
      }),
    ).rejects.toThrow('payload store unavailable');
    const row = (await t.storage.executions.get(plan.execution.execId))?.execution;
    expect(row?.status).toBe('error');
    expect(row?.error).toBe('could not be recorded whole: payload store unavailable');
    expect(isTerminal(row?.status ?? 'accepted')).toBe(true);
    expect((await t.storage.executions.listPending()).map((e) => e.execId)).not.toContain(plan.execution.execId);
  });
});
