import { readdirSync, readFileSync } from 'node:fs';

/** The real public alert payloads (see test/fixtures/alerts/README.md). */
export const ALERT_FIXTURES = new URL('../fixtures/alerts/', import.meta.url);

/** Names of every fixture file. */
export function alertFixtureNames(): string[] {
  return readdirSync(ALERT_FIXTURES).filter((f) => f.endsWith('.json'));
}

/** A fixture, parsed. */
export function loadFixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, ALERT_FIXTURES), 'utf8'));
}

const ODD_VALUES: unknown[] = [null, 0, -1.5, '', 'x', true, [], {}, [null], { __proto__: null }];

/** Every copy of `value` with one node (object member or array item) replaced by each odd value. */
export function* mutants(value: unknown): Generator<unknown> {
  if (value === null || typeof value !== 'object') return;
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  for (const [key, child] of entries) {
    const replace = (next: unknown) =>
      Array.isArray(value) ? value.map((v, i) => (i === key ? next : v)) : { ...value, [key]: next };
    for (const odd of ODD_VALUES) yield replace(odd);
    for (const deeper of mutants(child)) yield replace(deeper);
  }
}
