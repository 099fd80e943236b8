import fc from 'fast-check';
import { AuditAction } from '../../../src/core/audit.js';
import { ExecutionStatus } from '../../../src/core/execution.js';
import type { CaseMode } from './identity.js';
import { hostileString, percentEncode } from './strings.js';
import type { FuzzWorld } from './world.js';

/** Where a fuzz case goes: its path, with the route's parameters filled in, and its query. */

/** One path segment: the value the route will see, and the bytes on the request line. */
interface Segment {
  readonly value: string;
  readonly raw: string;
}

const encoded = (value: string): Segment => ({ value, raw: percentEncode(value) });

/** Segments sent as they are: traversal, broken or double encodings, matrix parameters. */
const RAW_SEGMENTS = fc
  .constantFrom(
    '..',
    '.',
    '%2e%2e',
    '%2E%2E%2F%2E%2E',
    '..%2f..%2fetc%2fpasswd',
    '..%5c..%5c',
    '%00',
    '%ZZ',
    '%',
    '%C0%AE%C0%AE',
    '%252e%252e',
    '..;',
    ';x=1',
    '*',
  )
  .map((raw): Segment => {
    let value: string = raw;
    try {
      value = decodeURIComponent(raw);
    } catch {}
    return { value, raw };
  });

/** A value of any kind for a path parameter, encoded or raw. */
const anySegment = fc.oneof(hostileString.map(encoded), RAW_SEGMENTS);

/**
 * A generator for each path parameter name the routes use: plausible values (an existing run, a valid
 * team) or anything. A route with a parameter missing here fails the fuzz suite's first test: add one
 * when you add the route.
 */
export const PATH_PARAMETERS: Readonly<Record<string, (world: FuzzWorld, mode: CaseMode) => fc.Arbitrary<Segment>>> = {
  execId: (world, mode) =>
    mode === 'plausible'
      ? fc.constantFrom(...world.execIds).map(encoded)
      : fc.oneof(
          { arbitrary: fc.constantFrom(...world.execIds).map(encoded), weight: 3 },
          { arbitrary: fc.constantFrom(...world.execIds).map((id) => encoded(id.toUpperCase())), weight: 1 },
          { arbitrary: fc.uuid({ version: 7 }).map(encoded), weight: 1 },
          { arbitrary: fc.uuid({ version: 4 }).map(encoded), weight: 1 },
          { arbitrary: anySegment, weight: 3 },
        ),
  schemaId: (world, mode) =>
    mode === 'plausible'
      ? fc.constantFrom(...world.schemaIds).map(encoded)
      : fc.oneof(
          { arbitrary: fc.constantFrom(...world.schemaIds).map(encoded), weight: 3 },
          { arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/).map(encoded), weight: 1 },
          { arbitrary: anySegment, weight: 3 },
        ),
  // the world holds no schedules: a valid id reaches the 404 and the form-token checks, anything else the 400
  scheduleId: (_world, mode) => {
    const valid = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/).map(encoded);
    return mode === 'plausible' ? valid : fc.oneof(valid, anySegment);
  },
  team: (_world, mode) => {
    const valid = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/).map(encoded);
    return mode === 'plausible' ? valid : fc.oneof(valid, anySegment);
  },
};

/** The parameter names of a route template (`executions/{execId}/cancel` → execId). */
export function routeParameters(route: string): string[] {
  return [...route.matchAll(/\{\*?(\w+)(?::\w+)?\??\}/g)].map((m) => m[1] ?? '');
}

/**
 * Values for the query names the routes read. Any other name is fuzzed too (hostile names and values),
 * so a new route's query is covered without an entry here; an entry only makes values more pointed.
 */
function queryValues(world: FuzzWorld): Readonly<Record<string, fc.Arbitrary<string>>> {
  const schemaId = fc.oneof(fc.constantFrom(...world.schemaIds, 'nope'), hostileString);
  const number = fc.oneof(
    fc.integer({ min: -5, max: 500 }).map(String),
    fc.constantFrom('', '1e2', 'NaN', 'Infinity', '0x10', '50.5', '-0', '9007199254740993', ' 7 '),
  );
  const tableToken = fc
    .record({ nextPartitionKey: fc.option(hostileString), nextRowKey: fc.option(hostileString) }, { requiredKeys: [] })
    .map((t) => Buffer.from(JSON.stringify(t)).toString('base64'));
  return {
    id: schemaId,
    schema: schemaId,
    status: fc.oneof(fc.constantFrom(...ExecutionStatus.options), hostileString),
    limit: number,
    offset: number,
    continuation: fc.oneof(tableToken, fc.base64String({ maxLength: 200 }), hostileString),
    raw: fc.oneof(fc.constantFrom('0', '1', 'true', 'false', 'yes'), hostileString),
    scope: fc.oneof(fc.constantFrom('mine', 'all'), hostileString),
    action: fc.oneof(fc.constantFrom(...AuditAction.options), hostileString),
    actor: hostileString,
    code: fc.oneof(fc.constant(world.functionKey), hostileString),
  };
}

/** A query string: the names the routes read with pointed values, and (wild) any name, any bytes. */
export function queryArbitrary(world: FuzzWorld, mode: CaseMode): fc.Arbitrary<string> {
  const values = queryValues(world);
  const known = Object.entries(values)
    // the key in the query is the wild cases' business; plausible ones send it in the header
    .filter(([name]) => mode === 'wild' || name !== 'code')
    .map(([name, value]) => value.map((v) => `${name}=${percentEncode(v)}`));
  if (mode === 'plausible') return fc.array(fc.oneof(...known), { maxLength: 3 }).map((pairs) => pairs.join('&'));
  const unknown = fc.tuple(hostileString, hostileString).map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`);
  const broken = fc.constantFrom('%', '%zz=1', '&&', '=', 'limit', 'limit=1&limit=2', 'a=%ff%fe');
  return fc
    .array(fc.oneof({ arbitrary: fc.oneof(...known), weight: 4 }, unknown, broken), { maxLength: 5 })
    .map((pairs) => pairs.join('&'));
}

/**
 * A path for a route template: its literals (wild: in another case), its parameters from PATH_PARAMETERS
 * (an optional one sometimes left out), and (wild) a tail that leads nowhere. `params` are the values the
 * route will see, for bodies that depend on them (the decision form's token is bound to the run).
 */
export function pathArbitrary(
  route: string,
  world: FuzzWorld,
  mode: CaseMode,
): fc.Arbitrary<{ raw: string; params: Record<string, string> }> {
  const segments = route.split('/').map((part) => {
    const m = /^\{\*?(\w+)(?::\w+)?(\?)?\}$/.exec(part);
    if (!m) {
      const literal =
        mode === 'plausible'
          ? fc.constant(part)
          : fc.oneof(
              { arbitrary: fc.constant(part), weight: 4 },
              { arbitrary: fc.constant(part.toUpperCase()), weight: 1 },
            );
      return literal.map((raw) => {
        const segment: Segment | null = { value: raw, raw };
        return { name: null, segment };
      });
    }
    const name = m[1] ?? '';
    const generator = PATH_PARAMETERS[name];
    if (!generator) throw new Error(`no generator for path parameter {${name}} of route ${route}`);
    const segment = m[2] ? fc.option(generator(world, mode), { freq: 4 }) : generator(world, mode);
    return segment.map((s) => ({ name, segment: s }));
  });
  const tail =
    mode === 'plausible'
      ? fc.constant(null)
      : fc.oneof(
          { arbitrary: fc.constant(null), weight: 4 },
          { arbitrary: fc.constantFrom('/', '/extra', '//', '/..', '/%2e%2e', '/x/y'), weight: 1 },
        );
  return fc.tuple(fc.tuple(...segments), tail).map(([parts, extra]) => ({
    raw: `/api/${parts.flatMap((p) => (p.segment ? [p.segment.raw] : [])).join('/')}${extra ?? ''}`,
    params: Object.fromEntries(parts.flatMap((p) => (p.name && p.segment ? [[p.name, p.segment.value]] : []))),
  }));
}
