import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpFunctionDefinition } from '../../src/functions/index.js';
import { createFunctionDefinitions } from '../../src/functions/index.js';
import { caseChecker } from '../support/fuzz/case-checker.js';
import type { FuzzApp } from '../support/fuzz/fuzz-app.js';
import { FUZZ_MAX_BODY_BYTES, startFuzzApp } from '../support/fuzz/fuzz-app.js';
import type { FuzzCase } from '../support/fuzz/http-request.js';
import { described, requestArbitrary } from '../support/fuzz/http-request.js';
import { PATH_PARAMETERS, routeParameters } from '../support/fuzz/http-target.js';
import { fuzzParameters, fuzzTimeoutMs } from '../support/fuzz/runs.js';

/**
 * The routes, read from the app's own list of definitions (nothing is called until a request comes, so
 * no services are needed to read it): a route added to the app is fuzzed here without an edit.
 */
const ROUTES = createFunctionDefinitions(() => {
  throw new Error('the route list is read, not called');
}).filter((d): d is HttpFunctionDefinition => d.kind === 'http');

/** Cases per route in CI: 18 routes × 30 ≈ 540 requests, each with a storage snapshot, in about 12 s. */
const RUNS_PER_ROUTE = 30;

/**
 * Real HTTP against the real local host (keys enforced, real authentication, real Azurite): the host's
 * routing, key check and body reading are fuzzed too, and a request is about 2 ms over loopback, small
 * beside the storage snapshot each case needs, so calling handlers in process would save little.
 */
describe('fuzzing every HTTP route', () => {
  let fuzz: FuzzApp;
  let check: ReturnType<typeof caseChecker>;

  beforeAll(async () => {
    fuzz = await startFuzzApp();
    check = caseChecker(fuzz.t, fuzz.app.host.url);
  });
  afterAll(async () => {
    await fuzz.close();
  });

  it('has a generator for every path parameter of every route', () => {
    const missing = ROUTES.flatMap((d) =>
      routeParameters(d.options.route)
        .filter((p) => !Object.hasOwn(PATH_PARAMETERS, p))
        .map((p) => `${d.name} (${d.options.route}): {${p}}`),
    );
    expect(missing, 'add a generator to PATH_PARAMETERS in test/support/fuzz/http-target.ts').toEqual([]);
  });

  it('answers the requests the fuzz once failed on', async () => {
    const { execId, logBytes } = fuzz.finished;
    const viewer = fuzz.world.bearers[0]?.header ?? '';
    const cases: FuzzCase[] = [
      // a Last-Event-ID past the end of a finished run's log: the stream ended with the storage SDK's error
      {
        route: 'StreamExecutionLog',
        method: 'GET',
        target: `/api/executions/${execId}/stream`,
        headers: { authorization: viewer, 'last-event-id': String(logBytes + 1) },
        body: null,
      },
    ];
    for (const c of cases) {
      const res = await check(described(c));
      expect(res.body.toString('utf8')).toContain('event: end');
    }
  });

  it.each(ROUTES.map((d) => [d.name, d.options.route]))(
    '%s (/api/%s) answers any input without a 5xx or a hang, and a refusal writes nothing',
    async (name) => {
      const definition = fuzz.app.definitions.find((d) => d.name === name);
      if (!definition) throw new Error(`${name} is not served by the app`);
      await fc.assert(
        fc.asyncProperty(requestArbitrary(definition, fuzz.world, FUZZ_MAX_BODY_BYTES), async (c) => {
          await check(c);
        }),
        fuzzParameters(RUNS_PER_ROUTE),
      );
    },
    fuzzTimeoutMs(RUNS_PER_ROUTE, 300),
  );
});
