import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_PARSERS } from '../../../src/alerts/index.js';
import { AlertContext } from '../../../src/core/alert-context.js';
import { cloudo } from '../../support/cli.js';

const FIXTURE = path.resolve('test/fixtures/alerts/alertmanager_webhook_kubepodcrashlooping_firing.json');

const EXPECTED_ENV = {
  RESOURCE_ID: '',
  RESOURCE_RG: '',
  RESOURCE_NAME: '',
  AKS_NAMESPACE: 'pp1',
  AKS_POD: 'dd1-0',
  AKS_DEPLOYMENT: '',
  AKS_JOB: '',
  AKS_HPA: '',
  MONITOR_CONDITION: 'Fired',
  CLOUDO_ALERT_RULE: 'KubePodCrashLooping',
  CLOUDO_SEVERITY: 'critical',
};

describe('cloudo alert parse', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-alert-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prints the alerts and their runbook env for a fixture file, exit 0', async () => {
    const res = await cloudo(['alert', 'parse', FIXTURE]);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    const out = JSON.parse(res.stdout) as { alerts: unknown[]; env: unknown[] };
    expect(Object.keys(out)).toEqual(['alerts', 'env']);
    expect(out.alerts).toHaveLength(1);
    const alert = AlertContext.parse(out.alerts[0]);
    expect(alert).toMatchObject({
      format: 'alertmanager',
      alertId: 'a4c6c4f7a49ca0ae',
      alertRule: 'KubePodCrashLooping',
    });
    expect(out.env).toEqual([EXPECTED_ENV]);
    // pretty JSON, for people reading it
    expect(res.stdout).toContain('\n  "alerts": [\n');
  });

  it('reads the payload from stdin with -', async () => {
    const res = await cloudo(['alert', 'parse', '-'], {}, await readFile(FIXTURE, 'utf8'));
    expect(res.code).toBe(0);
    expect((JSON.parse(res.stdout) as { env: unknown[] }).env).toEqual([EXPECTED_ENV]);
  });

  it('reads a file saved with a byte-order mark', async () => {
    const file = path.join(dir, 'bom.json');
    await writeFile(file, `\uFEFF${await readFile(FIXTURE, 'utf8')}`);
    const res = await cloudo(['alert', 'parse', file]);
    expect(res.code).toBe(0);
  });

  it('exits 2 on an unknown payload, naming every format it checked, and prints nothing on stdout', async () => {
    const file = path.join(dir, 'unknown.json');
    await writeFile(file, JSON.stringify({ hello: 'world' }));
    const res = await cloudo(['alert', 'parse', file]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(`${file}: not a recognised alert payload (unknown-format); checked:`);
    for (const parser of ALERT_PARSERS) expect(res.stderr).toContain(`  - ${parser.describe}`);
  });

  it('exits 2 on invalid JSON, from a file or stdin', async () => {
    const file = path.join(dir, 'broken.json');
    await writeFile(file, '{"alerts": [');
    const res = await cloudo(['alert', 'parse', file]);
    expect(res).toMatchObject({ code: 2, stdout: '', stderr: `${file}: not valid JSON\n` });
    const piped = await cloudo(['alert', 'parse', '-'], {}, 'not json');
    expect(piped).toMatchObject({ code: 2, stdout: '', stderr: 'stdin: not valid JSON\n' });
  });

  it('exits 2 when the file cannot be read', async () => {
    const missing = path.join(dir, 'missing.json');
    const res = await cloudo(['alert', 'parse', missing]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(`cannot read ${missing}: ENOENT`);
  });

  it('shows the command in the usage and refuses a missing FILE', async () => {
    const res = await cloudo(['alert', 'parse']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('cloudo alert parse FILE|-');
  });
});
