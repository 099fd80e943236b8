import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAlert } from '../../src/alerts/index.js';
import { field } from '../../src/alerts/normalize.js';
import { ALERT_PAYLOADS, mutatedAlertPayload } from '../support/fuzz/alert-mutations.js';
import { caseChecker } from '../support/fuzz/case-checker.js';
import type { FuzzCase } from '../support/fuzz/http-request.js';
import { described } from '../support/fuzz/http-request.js';
import { fuzzParameters, fuzzTimeoutMs } from '../support/fuzz/runs.js';
import { testSchema } from '../support/schemas.js';
import type { SecuredApp } from '../support/secured-app.js';
import { FUNCTION_KEY, startSecuredApp } from '../support/secured-app.js';
import type { TestStorage } from '../support/storage.js';
import { createTestStorage } from '../support/storage.js';

/**
 * The alert webhook (POST /api/Trigger with a payload) fed the real payloads, damaged: every answer is a
 * 202 whose runs are recorded, or a 4xx that wrote nothing; never a 5xx or a hang. Real HTTP on Azurite,
 * with schemas that send each fixture's alert down every intake path (run, gated, skip and cancel).
 */

/** The rules of the fixtures' alerts: every schema below handles them all (run, gated, skip and cancel). */
const FIXTURE_RULES = ALERT_PAYLOADS.flatMap(({ payload }) => {
  const parsed = parseAlert(payload);
  return parsed.ok ? parsed.alerts.flatMap((a) => (a.alertRule ? [a.alertRule] : [])) : [];
});

/** Alert cases in CI: most carry few alerts, so each accepted one writes a handful of runs. */
const WEBHOOK_RUNS = 80;

describe('fuzzing the alert webhook over HTTP', () => {
  let t: TestStorage;
  let app: SecuredApp;
  let check: ReturnType<typeof caseChecker>;

  beforeAll(async () => {
    t = await createTestStorage();
    await t.storage.schemas.importSchemas([
      testSchema({ id: 'hello' }),
      testSchema({ id: 'alerts', alertRules: FIXTURE_RULES }),
      testSchema({ id: 'alerts-gated', alertRules: FIXTURE_RULES, requireApproval: true }),
      testSchema({ id: 'alerts-once', alertRules: FIXTURE_RULES, concurrency: 'skip', onResolved: 'cancel' }),
    ]);
    // a realistic limit (the default is 1 MiB), so big payloads reach the detector and the alert cap
    app = await startSecuredApp(t, {}, {}, undefined, { maxBodyBytes: 256 * 1024 });
    check = caseChecker(t, app.host.url);
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  const webhookCase = fc
    .record({
      payload: fc.oneof(
        { arbitrary: mutatedAlertPayload, weight: 4 },
        { arbitrary: fc.constantFrom(...ALERT_PAYLOADS.map((f) => f.payload)), weight: 1 },
      ),
      target: fc.constantFrom(
        '/api/Trigger',
        '/api/Trigger?id=hello',
        '/api/Trigger?id=alerts-once',
        '/api/Trigger/payments',
      ),
      contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain'),
    })
    .map(
      ({ payload, target, contentType }): FuzzCase =>
        described({
          route: 'Trigger',
          method: 'POST',
          target,
          headers: { 'x-functions-key': FUNCTION_KEY, 'content-type': contentType },
          body: Buffer.from(JSON.stringify(payload) ?? 'null'),
        }),
    );

  it('answers the payloads the fuzz once failed on', async () => {
    // an Azure Monitor alert whose target is a lone surrogate: 500 (URIError) from the concurrency skip lookup
    const lone = structuredClone(
      ALERT_PAYLOADS.find((f) => f.name === 'cs_metric_static_resolved_vm_docs.json')?.payload,
    );
    const essentials = field(lone, 'data', 'essentials');
    if (!essentials || typeof essentials !== 'object') throw new Error('fixture changed');
    Object.assign(essentials, { alertTargetIDs: ['\ud800'], monitorCondition: 'Fired' });
    const res = await check(
      described({
        route: 'Trigger',
        method: 'POST',
        target: '/api/Trigger',
        headers: { 'x-functions-key': FUNCTION_KEY, 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify(lone)),
      }),
    );
    expect(res.status).toBe(202);
  });

  it(
    'answers every damaged payload with 202 and recorded runs, or a 4xx that wrote nothing',
    async () => {
      await fc.assert(
        fc.asyncProperty(webhookCase, async (c) => {
          const res = await check(c);
          if (res.status !== 202) {
            expect([400, 413, 422], `unexpected ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`).toContain(
              res.status,
            );
            return;
          }
          const answer = JSON.parse(res.body.toString('utf8')) as {
            alerts?: number;
            runs: { exec_id: string | null }[];
            exec_id?: string;
          };
          if (answer.alerts === undefined) {
            // a body that is no alert, with a schema named, is a plain manual run of it (the original console's)
            expect(c.target).toContain('?id=');
            expect(await t.storage.executions.get(answer.exec_id ?? ''), 'manual run not recorded').not.toBeNull();
            return;
          }
          expect(answer.alerts).toBeGreaterThan(0);
          expect(answer.alerts).toBeLessThanOrEqual(50);
          for (const run of answer.runs) {
            if (run.exec_id)
              expect(
                await t.storage.executions.get(run.exec_id),
                `run ${run.exec_id} answered but not recorded`,
              ).not.toBeNull();
          }
        }),
        fuzzParameters(WEBHOOK_RUNS),
      );
    },
    fuzzTimeoutMs(WEBHOOK_RUNS, 500),
  );
});
