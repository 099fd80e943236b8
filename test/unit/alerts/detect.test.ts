import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { alertmanagerParser } from '../../../src/alerts/alertmanager.js';
import { ALERT_PARSERS, parseAlert } from '../../../src/alerts/index.js';
import type { AlertFormat, ParseAlertResult } from '../../../src/core/alert-context.js';
import { AlertContext } from '../../../src/core/alert-context.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/alerts');
const fixtureText = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
const fixture = (name: string): unknown => JSON.parse(fixtureText(name));

/** Every fixture file and the format it is in (test/fixtures/alerts/README.md). */
const FIXTURE_FORMATS: Record<string, AlertFormat> = {
  'alertmanager_webhook_kubepodcrashlooping_firing.json': 'alertmanager',
  'classic_metric_alert_docs_site.json': 'azure-classic-metric',
  'cs_metric_static_resolved_vm_docs.json': 'azure-common',
  'cs_prometheus_aks_node_cpu_fired_blog.json': 'azure-common',
  'cs_testaction_activitylog_administrative_vm_restart.json': 'azure-common',
  'cs_testaction_cost_budget_nulls.json': 'azure-common',
  'cs_testaction_log_v2_workspace.json': 'azure-common',
  'legacy_activitylog_administrative_vm_restart.json': 'azure-activitylog-legacy',
  'legacy_log_appinsights_2018_logalert_schema.json': 'azure-log-legacy',
  'legacy_metricalert_v2_static_activated_storage.json': 'azure-metric-legacy',
};
const FIXTURE_FILES = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
const ALL_DESCRIBES = ALERT_PARSERS.map((p) => p.describe);

/**
 * What every answer must be, whatever the input: a valid result with valid alerts. How fast the answer
 * comes on hostile inputs is checked by `npm run bench` (bench/alert-parse.ts), not here.
 */
function expectWellFormed(body: unknown): ParseAlertResult {
  const result = parseAlert(body);
  if (result.ok) {
    for (const alert of result.alerts) expect(() => AlertContext.parse(alert)).not.toThrow();
  } else {
    expect(['unknown-format', 'invalid-json']).toContain(result.reason);
    expect(Array.isArray(result.checked)).toBe(true);
  }
  return result;
}

function formats(result: ParseAlertResult): string[] {
  return result.ok ? result.alerts.map((a) => a.format) : [`not ok: ${result.reason}`];
}

describe('parseAlert', () => {
  afterEach(() => vi.restoreAllMocks());

  it('knows the format of every fixture file', () => {
    expect(FIXTURE_FILES.sort()).toEqual(Object.keys(FIXTURE_FORMATS).sort());
  });

  it.each(Object.entries(FIXTURE_FORMATS))('recognises %s as %s', (file, format) => {
    const result = parseAlert(fixture(file));
    expect(formats(result)).toEqual([format]);
  });

  it.each(Object.entries(FIXTURE_FORMATS))('reads %s from its JSON text too', (file, format) => {
    expect(formats(parseAlert(fixtureText(file)))).toEqual([format]);
  });

  describe('envelopes', () => {
    const inner = fixtureText('alertmanager_webhook_kubepodcrashlooping_firing.json');
    const direct = parseAlert(JSON.parse(inner));

    it('unwraps Azure Automation WebhookData (RequestBody as a JSON string)', () => {
      const webhookData = {
        WebhookName: 'cloudo',
        RequestBody: inner,
        RequestHeader: { 'Content-Type': 'application/json' },
      };
      expect(parseAlert(webhookData)).toEqual(direct);
      expect(parseAlert(JSON.stringify(webhookData))).toEqual(direct);
    });

    it.each(['body', 'payload', 'data'])('unwraps a generic { %s: "<json>" } envelope', (name) => {
      expect(parseAlert({ [name]: inner })).toEqual(direct);
    });

    it('unwraps a double-encoded JSON string', () => {
      expect(parseAlert(JSON.stringify(inner))).toEqual(direct);
    });

    it('unwraps two levels, and no more', () => {
      const twoLevels = { WebhookName: 'w', RequestBody: JSON.stringify({ payload: inner }) };
      expect(parseAlert(twoLevels)).toEqual(direct);
      const threeLevels = { body: JSON.stringify(twoLevels) };
      expect(parseAlert(threeLevels)).toEqual({ ok: false, reason: 'unknown-format', checked: ALL_DESCRIBES });
    });

    it('does not unwrap an object-valued field or a string that is not JSON', () => {
      expect(parseAlert({ payload: JSON.parse(inner) }).ok).toBe(false);
      expect(parseAlert({ RequestBody: '{not json' })).toEqual({
        ok: false,
        reason: 'unknown-format',
        checked: ALL_DESCRIBES,
      });
    });

    it('reads the Azure common schema `data` object as the payload, not as an envelope', () => {
      expect(formats(parseAlert(fixture('cs_metric_static_resolved_vm_docs.json')))).toEqual(['azure-common']);
    });
  });

  describe('not recognised', () => {
    it('answers invalid-json for text that does not parse, and checks nothing', () => {
      expect(parseAlert('{"alerts": [')).toEqual({ ok: false, reason: 'invalid-json', checked: [] });
      expect(parseAlert('')).toEqual({ ok: false, reason: 'invalid-json', checked: [] });
    });

    it.each([
      ['an unknown object', { hello: 'world' }],
      ['null', null],
      ['a number', 42],
      ['an array of alerts', [{ labels: { alertname: 'A' }, state: 'firing' }]],
      ['undefined', undefined],
    ])('answers unknown-format for %s, listing every format checked', (_name, body) => {
      expect(parseAlert(body)).toEqual({ ok: false, reason: 'unknown-format', checked: ALL_DESCRIBES });
    });

    it('names a parser that throws and still tries the others', () => {
      vi.spyOn(alertmanagerParser, 'parse').mockImplementation(() => {
        throw new Error('boom');
      });
      const broken = parseAlert(fixture('alertmanager_webhook_kubepodcrashlooping_firing.json'));
      expect(broken.ok).toBe(false);
      expect(broken.ok ? [] : broken.checked).toContain(`${alertmanagerParser.describe}: parser error (boom)`);
      expect(formats(parseAlert(fixture('cs_metric_static_resolved_vm_docs.json')))).toEqual(['azure-common']);
    });

    it('refuses a parser answer that is not an AlertContext', () => {
      vi.spyOn(alertmanagerParser, 'parse').mockReturnValue([{ format: 'alertmanager' } as unknown as AlertContext]);
      const result = parseAlert(fixture('alertmanager_webhook_kubepodcrashlooping_firing.json'));
      expect(result.ok).toBe(false);
      expect(result.ok ? [] : result.checked.join('\n')).toMatch(/alertmanager .*: parser returned an invalid alert/);
    });
  });

  describe('properties', () => {
    it('never throws on any JSON value and returns only valid alerts', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (value) => {
          expectWellFormed(value);
          expectWellFormed(JSON.stringify(value) ?? 'null');
        }),
        { numRuns: 500 },
      );
    });

    it('never throws on any string', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
          expectWellFormed(text);
        }),
        { numRuns: 300 },
      );
    });

    it('survives fixtures with random fields deleted, replaced or given the wrong type', () => {
      const fixtures = FIXTURE_FILES.map((f) => fixture(f));
      const wrongType = fc.oneof(
        fc.constant(null),
        fc.constant(undefined),
        fc.boolean(),
        fc.double(),
        fc.integer(),
        fc.string(),
        fc.constant([]),
        fc.constant({}),
        fc.jsonValue({ maxDepth: 3 }),
        fc.constant('__proto__'),
      );
      const mutation = fc.record({ at: fc.nat(), kind: fc.constantFrom('delete', 'replace'), value: wrongType });
      fc.assert(
        fc.property(
          fc.nat({ max: fixtures.length - 1 }),
          fc.array(mutation, { minLength: 1, maxLength: 6 }),
          (index, mutations) => {
            const mutated = structuredClone(fixtures[index]);
            for (const m of mutations) mutate(mutated, m.at, m.kind, m.value);
            expectWellFormed(mutated);
            expectWellFormed({ WebhookName: 'w', RequestBody: JSON.stringify(mutated) ?? '' });
          },
        ),
        { numRuns: 1000 },
      );
    });

    it('survives labels and fields of every JSON shape inside an Alertmanager group', () => {
      fc.assert(
        fc.property(
          fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })),
          fc.jsonValue({ maxDepth: 2 }),
          (labels, status) => {
            const body = {
              receiver: 'r',
              status,
              alerts: [{ status, labels: { alertname: 'A', ...labels }, fingerprint: status }],
            };
            const result = expectWellFormed(body);
            expect(result.ok).toBe(true);
          },
        ),
        { numRuns: 300 },
      );
    });
  });

  describe('big and deep inputs', () => {
    it('answers deeply nested JSON (100k levels) without overflowing the stack', () => {
      const depth = 100_000;
      expectWellFormed(`${'['.repeat(depth)}${']'.repeat(depth)}`);
      expectWellFormed(`${'{"alerts":'.repeat(depth)}1${'}'.repeat(depth)}`);
      expectWellFormed(`${'{"body":'.repeat(depth)}1${'}'.repeat(depth)}`);
    });

    it('refuses nested JSON-string envelopes deeper than it unwraps', () => {
      let body = fixtureText('alertmanager_webhook_kubepodcrashlooping_firing.json');
      for (let i = 0; i < 12; i++) body = JSON.stringify({ payload: body });
      expect(expectWellFormed(body).ok).toBe(false);
    });

    it('reads a 10 MB label value whole', () => {
      const huge = 'x'.repeat(10 * 1024 * 1024);
      const body = JSON.stringify({
        receiver: 'r',
        alerts: [{ status: 'firing', labels: { alertname: 'A', namespace: huge } }],
      });
      const result = expectWellFormed(body);
      expect(result.ok && result.alerts[0]?.kubernetes.namespace).toBe(huge);
    });

    it('answers a 10 MB string that is not JSON and one that is a JSON string', () => {
      const huge = 'x'.repeat(10 * 1024 * 1024);
      expect(expectWellFormed(huge)).toEqual({ ok: false, reason: 'invalid-json', checked: [] });
      expect(expectWellFormed(JSON.stringify(huge)).ok).toBe(false);
    });

    it('reads every alert of a big group, and refuses a huge array that is no alert', () => {
      const alerts = Array.from({ length: 1_000 }, (_, i) => ({
        status: 'firing',
        labels: { alertname: 'A', pod: `web-${i}`, namespace: 'web' },
        fingerprint: String(i),
      }));
      const result = expectWellFormed({ receiver: 'r', alerts });
      expect(result.ok && result.alerts.length).toBe(1_000);
      expectWellFormed(new Array(1_000_000).fill(0));
    });

    it('reads labels with 10k keys', () => {
      const labels: Record<string, string> = { alertname: 'A' };
      for (let i = 0; i < 10_000; i++) labels[`l${i}`] = `v${i}`;
      expectWellFormed({ labels, state: 'firing' });
    });
  });
});

/** Deletes or replaces the `at`-th (mod count) node of a JSON tree in place; the root is never replaced. */
function mutate(root: unknown, at: number, kind: 'delete' | 'replace', value: unknown): void {
  const slots: [Record<string, unknown> | unknown[], string | number][] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        slots.push([node, i]);
        walk(child);
      });
    } else if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        slots.push([node as Record<string, unknown>, key]);
        walk(child);
      }
    }
  };
  walk(root);
  const slot = slots[at % Math.max(slots.length, 1)];
  if (!slot) return;
  const [parent, key] = slot;
  if (Array.isArray(parent) && typeof key === 'number') {
    if (kind === 'delete') parent.splice(key, 1);
    else parent[key] = value;
  } else if (!Array.isArray(parent) && typeof key === 'string') {
    if (kind === 'delete') delete parent[key];
    else parent[key] = value;
  }
}
