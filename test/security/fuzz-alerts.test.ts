import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALERT_PARSERS, parseAlert } from '../../src/alerts/index.js';
import { field, str, toLabels, toMonitorCondition, toSeverity } from '../../src/alerts/normalize.js';
import type { ParseAlertResult } from '../../src/core/alert-context.js';
import { AlertContext } from '../../src/core/alert-context.js';
import { mutatedAlertPayload } from '../support/fuzz/alert-mutations.js';
import { fuzzParameters, fuzzTimeoutMs } from '../support/fuzz/runs.js';
import { hostileString } from '../support/fuzz/strings.js';

/**
 * The alert detector reads whatever anyone who reaches the webhook sends. Its contract (detect.ts,
 * format-parser.ts): parseAlert never throws and answers in time linear in the body; every parser returns
 * null or valid AlertContexts and never throws (detect.ts catches a throw, but only to keep the webhook
 * up: a caught throw or an invalid alert is a parser bug, and shows in `checked`).
 */

/** One call may take this long: the largest generated body is about 3000 copies of a fixture node. */
const CALL_BOUND_MS = 2_000;

function timed<T>(run: () => T): T {
  const started = performance.now();
  const result = run();
  expect(performance.now() - started, 'took too long for its size').toBeLessThan(CALL_BOUND_MS);
  return result;
}

/** A well-formed answer with no parser bug hidden in it. */
function expectSound(result: ParseAlertResult): void {
  if (result.ok) {
    expect(result.alerts.length).toBeGreaterThan(0);
    for (const alert of result.alerts) expect(AlertContext.safeParse(alert).success).toBe(true);
    return;
  }
  expect(['invalid-json', 'unknown-format']).toContain(result.reason);
  for (const note of result.checked) {
    expect(typeof note).toBe('string');
    expect(note, 'a parser threw or returned an invalid alert').not.toMatch(
      /parser error|parser returned an invalid alert/,
    );
  }
}

/** Any input, parsed as a value, as its JSON text, and by each parser alone. */
function expectDetectorSound(value: unknown): void {
  expectSound(timed(() => parseAlert(value)));
  expectSound(timed(() => parseAlert(JSON.stringify(value) ?? 'null')));
  for (const parser of ALERT_PARSERS) {
    const alerts = timed(() => parser.parse(value));
    if (alerts === null) continue;
    for (const alert of alerts) expect(AlertContext.safeParse(alert).success, parser.describe).toBe(true);
  }
}

const deepJson = fc.jsonValue({ maxDepth: 25 });

// a slow case is a few copied thousand nodes read by seven parsers, three times over
describe('fuzzing the alert detector', { timeout: fuzzTimeoutMs(300, 100) }, () => {
  it('answers any JSON value, and its text, without a throw and in time', () => {
    fc.assert(fc.property(deepJson, expectDetectorSound), fuzzParameters(300));
  });

  it('answers any string, JSON or not', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 500 }), hostileString), (text) =>
        expectSound(timed(() => parseAlert(text))),
      ),
      fuzzParameters(300),
    );
  });

  it('answers every real payload with fields dropped, retyped, deepened, copied, lengthened or wrapped', () => {
    fc.assert(fc.property(mutatedAlertPayload, expectDetectorSound), fuzzParameters(200));
  });

  it('answers values JSON cannot hold (prototype-less objects, sparse arrays, boxed values)', () => {
    fc.assert(
      fc.property(
        fc.anything({ maxDepth: 4, withNullPrototype: true, withSparseArray: true, withBoxedValues: true }),
        (value) => expectSound(timed(() => parseAlert(value))),
      ),
      fuzzParameters(300),
    );
  });
});

describe('fuzzing the alert normalizers', { timeout: fuzzTimeoutMs(300, 10) }, () => {
  const anything = fc.anything({ maxDepth: 3, withNullPrototype: true, withSparseArray: true, withObjectString: true });

  it('reads conditions, severities and strings from any value', () => {
    fc.assert(
      fc.property(anything, (value) => {
        expect(['Fired', 'Resolved']).toContain(toMonitorCondition(value));
        const severity = toSeverity(value);
        expect(severity === null || (typeof severity === 'string' && severity !== '')).toBe(true);
        if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 4) {
          expect(severity).toBe(`Sev${value}`);
        }
        const s = str(value);
        expect(s === null || s === value).toBe(true);
      }),
      fuzzParameters(300),
    );
  });

  it('flattens any labels to a plain map of strings without touching a prototype', () => {
    const labelish = fc.oneof(
      anything,
      fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'toString')), anything),
      fc.array(fc.record({ name: anything, value: anything }, { requiredKeys: [] })),
      fc.jsonValue().map((v) => JSON.parse(`{"__proto__":${JSON.stringify(v) ?? 'null'},"a":"b"}`) as unknown),
    );
    fc.assert(
      fc.property(labelish, (value) => {
        const labels = toLabels(value);
        expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
        expect(Object.hasOwn(labels, '__proto__')).toBe(false);
        for (const v of Object.values(labels)) expect(typeof v).toBe('string');
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      fuzzParameters(300),
    );
  });

  it('reads a path out of any value, and nothing out of a primitive or an array', () => {
    fc.assert(
      fc.property(
        anything,
        fc.array(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor')), { maxLength: 4 }),
        (value, path) => {
          const found = field(value, ...path);
          if (path.length > 0 && (value === null || typeof value !== 'object' || Array.isArray(value))) {
            expect(found).toBeUndefined();
          }
          if (
            path.length === 1 &&
            (path[0] === '__proto__' || path[0] === 'constructor') &&
            value !== null &&
            typeof value === 'object' &&
            !Object.hasOwn(value, path[0] ?? '')
          ) {
            expect(found).toBeUndefined();
          }
        },
      ),
      fuzzParameters(300),
    );
  });
});
