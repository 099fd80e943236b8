import fc from 'fast-check';

/** Strings that have broken web apps: traversal, injection, markup, odd Unicode, prototype keys. */
const NASTY = [
  '',
  ' ',
  '.',
  '..',
  '../..',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%00',
  '\0',
  "' or 1 eq 1 or '",
  "x' or PartitionKey ne '",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '$' + '{jndi:ldap://x}',
  '$(id)',
  '\u202eevil',
  '\ufeff',
  '😀',
  '\ud800',
  'İ',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  'true',
  '[]',
  '{}',
] as const;

/** Any string a client might send: nasty constants, arbitrary Unicode (lone surrogates too), long runs. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...NASTY), weight: 3 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }), weight: 2 },
  // long, yet about 1 KB of UTF-8: a request line must stay under Node's 16 KB header limit (431 before the app)
  {
    arbitrary: fc
      .tuple(fc.constantFrom('a', 'é', '😀', '/', '%'), fc.integer({ min: 200, max: 1200 }))
      .map(([c, bytes]) => c.repeat(Math.ceil(bytes / Buffer.byteLength(c)))),
    weight: 1,
  },
);

/**
 * Percent-encodes the UTF-8 bytes of `text` but for the unreserved characters. Unlike encodeURIComponent it
 * takes lone surrogates (they become U+FFFD, as a browser sends them) instead of throwing.
 */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * A header value Node will send: tab, visible ASCII and the Latin-1 upper half (sent as single bytes);
 * anything else is refused by the client before it reaches a server, so fuzzing it tests nothing.
 */
export function headerValue(maxLength: number): fc.Arbitrary<string> {
  const char = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(0x09));
  return fc.string({ unit: char.map((c) => String.fromCharCode(c)), maxLength });
}
