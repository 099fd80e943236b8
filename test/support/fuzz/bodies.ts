import fc from 'fast-check';
import { hostileString, percentEncode } from './strings.js';

/** A request body and the content type a client would send with it (null: none). */
export interface FuzzBody {
  readonly bytes: Buffer | null;
  readonly contentType: string | null;
}

const text = (s: string) => Buffer.from(s, 'utf8');

/** Content types clients send, right and wrong, including ones that lie about the body. */
const contentType = fc.option(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=utf-16',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=----x',
    'application/octet-stream',
    'text/html',
    'application/json;;;',
    '*/*',
  ),
  { freq: 3 },
);

/** Bodies of no particular route: JSON of every shape, not-JSON, bytes, big and deep ones. */
export function genericBody(maxBodyBytes: number): fc.Arbitrary<Buffer | null> {
  const nested = (open: string, close: string, middle = '') =>
    fc
      .integer({ min: 1, max: Math.floor((maxBodyBytes - middle.length) / (open.length + close.length)) })
      .map((depth) => text(`${open.repeat(depth)}${middle}${close.repeat(depth)}`));
  return fc.oneof(
    { arbitrary: fc.constant(null), weight: 3 },
    { arbitrary: fc.json({ maxDepth: 6 }).map(text), weight: 3 },
    { arbitrary: fc.jsonValue({ maxDepth: 12 }).map((v) => text(JSON.stringify(v) ?? 'null')), weight: 2 },
    // not JSON: random text, JSON cut short, JSON with a trailing comma, a lone value with junk after it
    { arbitrary: fc.string({ unit: 'binary', maxLength: 300 }).map(text), weight: 2 },
    { arbitrary: fc.json().map((j) => text(j.slice(0, Math.max(0, j.length - 1)))), weight: 1 },
    {
      arbitrary: fc.constantFrom('{"a":1,}', '[1,2', '{"a"', 'nul', '{}}', '\ufeff{}', '"\\ud800"').map(text),
      weight: 1,
    },
    { arbitrary: fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)), weight: 2 },
    // a string as big as the limit allows, and one just over it
    {
      arbitrary: fc
        .integer({ min: maxBodyBytes - 64, max: maxBodyBytes - 2 })
        .map((n) => text(JSON.stringify('x'.repeat(n)))),
      weight: 1,
    },
    {
      arbitrary: fc.integer({ min: maxBodyBytes + 1, max: maxBodyBytes * 4 }).map((n) => text('y'.repeat(n))),
      weight: 1,
    },
    { arbitrary: nested('[', ']'), weight: 1 },
    { arbitrary: nested('{"a":', '}', '1'), weight: 1 },
    { arbitrary: nested('{"alerts":[', ']}', '{}'), weight: 1 },
    // form-encoded fields of any name and value (the console's forms and Slack send these)
    {
      arbitrary: fc
        .array(fc.tuple(hostileString, hostileString), { maxLength: 5 })
        .map((pairs) => text(pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&'))),
      weight: 1,
    },
  );
}

/**
 * A body with a content type. `shaped` are the route's own bodies: plausible cases send them (or, for a
 * route without any, generic ones) with a fitting type; wild cases mix them with everything else.
 */
export function bodyArbitrary(
  maxBodyBytes: number,
  shaped: fc.Arbitrary<Buffer>[],
  mode: 'wild' | 'plausible',
): fc.Arbitrary<FuzzBody> {
  if (mode === 'plausible') {
    const bytes = shaped.length === 0 ? genericBody(maxBodyBytes) : fc.oneof(...shaped);
    return fc.record({ bytes, contentType: fc.constant(null) }).map(({ bytes }) => ({
      bytes,
      contentType: bytes
        ? bytes.subarray(0, 1).toString() === '{'
          ? 'application/json'
          : 'application/x-www-form-urlencoded'
        : null,
    }));
  }
  const bytes =
    shaped.length === 0
      ? genericBody(maxBodyBytes)
      : fc.oneof({ arbitrary: genericBody(maxBodyBytes), weight: 1 }, { arbitrary: fc.oneof(...shaped), weight: 1 });
  return fc.record({ bytes, contentType });
}
