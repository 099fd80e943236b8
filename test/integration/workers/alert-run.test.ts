import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Execution } from '../../../src/core/execution.js';
import { isTerminal } from '../../../src/core/execution.js';
import { AlertIntake } from '../../../src/intake/index.js';
import type { QueueWorker } from '../../../workers/queue-worker.js';
import { testAlert } from '../../support/alerts.js';
import { testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { waitFor } from '../../support/wait.js';
import { makeRunbooks, startTestWorker } from '../../support/worker.js';

const HOSTILE = `$(touch /tmp/cloudo-pwned) \`id\` ; rm -rf / | cat /etc/passwd\n../../etc/passwd "quoted" 'single'`;

/** An alert's data reaches the script only as environment values and a file: byte for byte, never run. */
describe('an alert run on a real worker', () => {
  let t: TestStorage;
  let worker: QueueWorker;

  beforeAll(async () => {
    t = await createTestStorage();
    const dir = await makeRunbooks({
      'dump.py': [
        'import json, os',
        'keys = [k for k in os.environ if k.startswith(("RESOURCE_", "AKS_", "MONITOR_", "CLOUDO_"))]',
        'with open(os.environ["CLOUDO_ALERT_FILE"]) as f: payload = json.load(f)',
        'print(json.dumps({"env": {k: os.environ[k] for k in keys}, "payload": payload}))',
      ].join('\n'),
    });
    await t.storage.schemas.importSchemas([testSchema({ id: 'dump', runbook: 'dump.py' })]);
    worker = startTestWorker(t, dir);
  });
  afterAll(async () => {
    await worker.close({ force: true });
    await t.cleanup();
  });

  it('gets the alert as environment and the original payload as a file, data only', async () => {
    const bigLabel = 'x'.repeat(100 * 1024);
    const alert = testAlert({
      alertId: 'run-1',
      alertRule: HOSTILE,
      resourceName: HOSTILE,
      kubernetes: { cluster: 'aks-1', namespace: 'payments', pod: 'api-7d9f', deployment: 'api', job: null, hpa: null },
      labels: { big: bigLabel },
    });
    const payload = { original: true, big: bigLabel, hostile: HOSTILE };
    const schema = await t.storage.schemas.get('dump');
    const [outcome] = await new AlertIntake(t.storage).accept({
      schema,
      alerts: [alert],
      payload,
      trigger: { source: 'alert', actor: null, team: null, principal: null },
    });
    const execId = outcome?.execId ?? '';
    const done = await waitFor<Execution>('the alert run to finish', async () => {
      const e = (await t.storage.executions.get(execId))?.execution;
      return e && isTerminal(e.status) ? e : undefined;
    });
    expect(done.status).toBe('succeeded');
    const out = JSON.parse((await t.storage.logs.read(execId))?.toString() ?? '{}') as {
      env: Record<string, string>;
      payload: unknown;
    };
    expect(out.payload).toEqual(payload);
    expect(out.env).toMatchObject({
      CLOUDO_ALERT_RULE: HOSTILE,
      RESOURCE_NAME: HOSTILE,
      RESOURCE_ID: alert.resourceId,
      RESOURCE_RG: 'rg-app',
      AKS_NAMESPACE: 'payments',
      AKS_POD: 'api-7d9f',
      AKS_DEPLOYMENT: 'api',
      AKS_JOB: '',
      MONITOR_CONDITION: 'Fired',
      CLOUDO_SEVERITY: 'Sev2',
    });
    expect(out.env.CLOUDO_ALERT_FILE).toMatch(/alert\.json$/);
    expect(existsSync('/tmp/cloudo-pwned')).toBe(false);
  });
});
