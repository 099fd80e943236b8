import fc from 'fast-check';
import { headerValue, hostileString } from './strings.js';
import type { FuzzWorld } from './world.js';

/** Who a case claims to be: the headers that say so, and the caller id the app will see when it believes them. */
export interface Identity {
  readonly headers: Readonly<Record<string, string>>;
  readonly callerId: string | null;
}

const base64 = (value: unknown) => Buffer.from(JSON.stringify(value) ?? '').toString('base64');

/** An App Service Authentication principal: well formed with random roles, or any shape at all. */
function principal(): fc.Arbitrary<Identity> {
  const roleValue = fc.constantFrom('viewer', 'operator', 'admin', 'ClouDO.Admin', 'OPERATOR', 'root', '');
  const wellFormed = fc
    .record({
      name: fc.oneof(fc.constantFrom('alice@contoso.com', 'bob@contoso.com'), hostileString),
      roles: fc.array(roleValue, { maxLength: 3 }),
      groups: fc.array(hostileString, { maxLength: 2 }),
    })
    .map(({ name, roles, groups }) => ({
      headers: {
        'x-ms-client-principal': base64({
          auth_typ: 'aad',
          claims: [
            { typ: 'preferred_username', val: name },
            ...roles.map((val) => ({ typ: 'roles', val })),
            ...groups.map((val) => ({ typ: 'groups', val })),
          ],
        }),
      },
      callerId: name === '' ? null : name,
    }));
  const garbage = fc
    .oneof(
      headerValue(300),
      fc.jsonValue({ maxDepth: 4 }).map(base64),
      fc.record({ auth_typ: fc.jsonValue(), claims: fc.jsonValue() }).map(base64),
    )
    .map((value) => ({ headers: { 'x-ms-client-principal': value }, callerId: null }));
  return fc.oneof(wellFormed, garbage);
}

/** How a case is made: `wild` fuzzes everything at once; `plausible` sends what a real client would, but
 * with fuzzed values (query, body, headers), so those values reach the handler behind the checks. */
export type CaseMode = 'wild' | 'plausible';

/** The Functions key, which a key-level route (Trigger) needs before anything else is looked at. */
const withKey = (world: FuzzWorld, identity: Identity): Identity => ({
  headers: { 'x-functions-key': world.functionKey, ...identity.headers },
  callerId: identity.callerId,
});

/**
 * Credentials. Plausible ones are valid (an API token of each role, a signed-in person with a role, and
 * the Functions key where the route needs it); wild ones are anything, valid or not, in any mix.
 */
export function identityArbitrary(world: FuzzWorld, mode: CaseMode, needsKey: boolean): fc.Arbitrary<Identity> {
  const bearer = fc.constantFrom(...world.bearers).map((b) => ({
    headers: { authorization: b.header },
    callerId: b.callerId,
  }));
  if (mode === 'plausible') {
    const person = fc
      .record({
        name: fc.constantFrom('alice@contoso.com', 'bob@contoso.com'),
        role: fc.constantFrom('operator', 'admin'),
      })
      .map(({ name, role }) => ({
        headers: {
          'x-ms-client-principal': base64({
            auth_typ: 'aad',
            claims: [
              { typ: 'preferred_username', val: name },
              { typ: 'roles', val: role },
            ],
          }),
        },
        callerId: name,
      }));
    const valid = fc.oneof({ arbitrary: bearer, weight: 3 }, { arbitrary: person, weight: 1 });
    return needsKey ? valid.map((identity) => withKey(world, identity)) : valid;
  }
  const key = fc.oneof(
    fc.constant({ 'x-functions-key': world.functionKey }),
    headerValue(80).map((k) => ({ 'x-functions-key': k })),
  );
  const badAuthorization = fc
    .oneof(
      headerValue(200),
      fc.constantFrom('Bearer', 'Bearer ', 'Bearer cloudo_', 'Basic YWRtaW46YWRtaW4=', 'bearer  x y'),
      headerValue(100).map((t) => `Bearer cloudo_${t}`),
      // a real token's id with another secret
      fc.constantFrom(...world.bearers).map((b) => `${b.header.slice(0, -4)}AAAA`),
      fc.integer({ min: 1000, max: 8000 }).map((n) => `Bearer ${'a'.repeat(n)}`),
    )
    .map((authorization) => ({ headers: { authorization }, callerId: null }));
  return fc.oneof(
    { arbitrary: fc.constant({ headers: {}, callerId: null }), weight: 2 },
    { arbitrary: bearer, weight: 3 },
    { arbitrary: key.map((headers) => ({ headers, callerId: 'functions key' })), weight: 2 },
    { arbitrary: principal(), weight: 2 },
    { arbitrary: badAuthorization, weight: 2 },
    // a valid token together with a key and a principal: which one wins must not matter for safety
    {
      arbitrary: fc.tuple(bearer, key, principal()).map(([b, k, p]) => ({
        headers: { ...p.headers, ...k, ...b.headers },
        callerId: b.callerId,
      })),
      weight: 1,
    },
  );
}

/** Where a browser says the request comes from: nothing (API clients), our own pages, or another site. */
export function originHeadersArbitrary(world: FuzzWorld, mode: CaseMode): fc.Arbitrary<Record<string, string>> {
  if (mode === 'plausible') {
    // an API client sends neither; the console's own pages say same-origin, and send their origin
    const own: Record<string, string> = { 'sec-fetch-site': 'same-origin', origin: world.trustedOrigins[0] ?? '' };
    return fc.constantFrom({}, own);
  }
  // mostly none, as API clients send; else our own pages, or someone else's
  const origin = fc.oneof(
    { arbitrary: fc.constant(null), weight: 3 },
    { arbitrary: fc.constantFrom(...world.trustedOrigins), weight: 1 },
    {
      arbitrary: fc.oneof(
        fc.constantFrom('null', 'https://evil.example', 'http://127.0.0.1', 'https://cloudo.example.evil.example'),
        headerValue(60),
      ),
      weight: 1,
    },
  );
  const site = fc.oneof(
    { arbitrary: fc.constant(null), weight: 3 },
    { arbitrary: fc.constantFrom('same-origin', 'same-site', 'cross-site', 'none'), weight: 1 },
    { arbitrary: headerValue(20), weight: 1 },
  );
  return fc.record({ origin, site }).map(({ origin, site }) => ({
    ...(origin !== null ? { origin } : {}),
    ...(site !== null ? { 'sec-fetch-site': site } : {}),
  }));
}
