import fc from 'fast-check';
import { alertFixtureNames, loadFixture } from '../alert-fixtures.js';
import { hostileString } from './strings.js';

/**
 * Real alert payloads, damaged the ways a broken relay, an old API version or an attacker damages them:
 * fields dropped or given another type, arrays made huge, values nested deep, the whole thing wrapped in
 * an envelope. The fixtures are the repository's copies of the public payloads (test/fixtures/alerts).
 */

type JsonPath = readonly (string | number)[];

/** Every node of a JSON value as a path, root first, in a fixed order (so a case replays). */
function nodePaths(value: unknown, path: JsonPath = [], out: JsonPath[] = []): JsonPath[] {
  out.push(path);
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) nodePaths(item, [...path, i], out);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) nodePaths(item, [...path, key], out);
  }
  return out;
}

function getAt(root: unknown, path: JsonPath): unknown {
  let node = root;
  for (const key of path) node = (node as Record<string | number, unknown>)[key];
  return node;
}

/** Replaces (or with `undefined`, removes) the node at `path`; the root can only be replaced. */
function setAt(root: unknown, path: JsonPath, next: unknown): unknown {
  if (path.length === 0) return next === undefined ? root : next;
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
  const key = path[path.length - 1] as string | number;
  if (next !== undefined) (parent as Record<string | number, unknown>)[key] = next;
  else if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete (parent as Record<string | number, unknown>)[key];
  return root;
}

/** A value of some other type than the one a parser expects. */
const otherType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1e308, '', [], {}, [null], { '': null }),
  fc.double(),
  fc.integer(),
  hostileString,
  fc.jsonValue({ maxDepth: 3 }),
);

type Edit = { at: number } & (
  | { kind: 'drop' }
  | { kind: 'text'; value: string }
  | { kind: 'retype'; value: unknown }
  | { kind: 'deepen'; depth: number }
  | { kind: 'copies'; count: number }
  | { kind: 'long'; length: number }
);

/**
 * Text a string field should not hold but may: broken UTF-16 (JSON's `\ud800` escape is valid JSON),
 * the hostile strings, and lengths past what a table property or a URL takes.
 */
const oddText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('\ud800', '\udfff', 'rg-\ud83d', '\udc00/x'),
  hostileString,
  fc
    .tuple(fc.constantFrom('a', 'é', '😀', '/'), fc.integer({ min: 1000, max: 70_000 }))
    .map(([c, n]) => `/subscriptions/s/${c.repeat(n)}`),
);

/** One small edit at the `at`-th node (modulo the node count, so any number picks a node). */
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  // `text` picks among the string fields only, where most of what the parsers read is
  fc.record({ kind: fc.constant('text' as const), at: fc.nat(), value: oddText }),
  fc.record({ kind: fc.constant('retype' as const), at: fc.nat(), value: otherType }),
  fc.record({ kind: fc.constant('deepen' as const), at: fc.nat(), depth: fc.integer({ min: 1, max: 200 }) }),
);

/**
 * About the largest payload made, in characters of JSON: Azure Monitor sends at most 256 KB, the default
 * body limit is 1 MiB, and the detector's time must be linear, which a few megabytes show as well as more.
 */
const MAX_PAYLOAD_CHARS = 4_000_000;

/** At most one big edit per payload, so sizes stay linear: copies of a node, or a very long string. */
const bigEdit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('copies' as const), at: fc.nat(), count: fc.integer({ min: 50, max: 3000 }) }),
  fc.record({ kind: fc.constant('long' as const), at: fc.nat(), length: fc.integer({ min: 1000, max: 200_000 }) }),
);

function applyEdit(root: unknown, e: Edit): unknown {
  const all = nodePaths(root);
  const strings = all.filter((p) => typeof getAt(root, p) === 'string');
  const paths = e.kind === 'text' && strings.length > 0 ? strings : all;
  const path = paths[e.at % paths.length] ?? [];
  const node = getAt(root, path);
  switch (e.kind) {
    case 'text':
      return setAt(root, path, e.value);
    case 'drop':
      return setAt(root, path, undefined);
    case 'retype':
      return setAt(root, path, structuredClone(e.value));
    case 'deepen': {
      let wrapped: unknown = node;
      for (let i = 0; i < e.depth; i++) wrapped = [wrapped];
      return setAt(root, path, wrapped);
    }
    case 'copies': {
      // an array gets its own items repeated (a storm of alerts); anything else becomes an array of itself
      const items = Array.isArray(node) && node.length > 0 ? node : [node];
      // fewer copies of a big node (one with a long text in it): a payload stays within MAX_PAYLOAD_CHARS
      const size = (JSON.stringify(items) ?? '').length;
      const count = Math.max(1, Math.min(e.count, Math.floor((MAX_PAYLOAD_CHARS * items.length) / size)));
      return setAt(
        root,
        path,
        Array.from({ length: count }, (_, i) => items[i % items.length]),
      );
    }
    case 'long':
      return setAt(root, path, 'x'.repeat(e.length));
  }
}

/** How a payload may arrive wrapped: as JSON text in one of the envelope fields, or JSON text itself. */
const envelope = fc.constantFrom('RequestBody', 'body', 'payload', 'data', 'text');

function wrap(payload: unknown, how: string): unknown {
  const text = JSON.stringify(payload) ?? 'null';
  return how === 'text' ? text : { WebhookName: 'fuzz', [how]: text };
}

/** The fixtures, parsed once. */
export const ALERT_PAYLOADS: readonly { readonly name: string; readonly payload: unknown }[] = alertFixtureNames().map(
  (name) => ({ name, payload: loadFixture(name) }),
);

/** A fixture with one to six small edits, maybe one big one, maybe wrapped in an envelope. */
export const mutatedAlertPayload: fc.Arbitrary<unknown> = fc
  .record({
    fixture: fc.nat({ max: ALERT_PAYLOADS.length - 1 }),
    edits: fc.array(edit, { minLength: 1, maxLength: 6 }),
    big: fc.option(bigEdit, { freq: 4 }),
    envelope: fc.option(envelope, { freq: 4 }),
  })
  .map(({ fixture, edits, big, envelope: how }) => {
    let payload = structuredClone(ALERT_PAYLOADS[fixture]?.payload);
    for (const e of big ? [...edits, big] : edits) payload = applyEdit(payload, e);
    return how ? wrap(payload, how) : payload;
  });
