import fc from 'fast-check';
import { formToken } from '../../../src/core/form-token.js';
import { APPROVE_ACTION, REJECT_ACTION } from '../../../src/notify/index.js';
import { mutatedAlertPayload } from './alert-mutations.js';
import { hostileString, percentEncode } from './strings.js';
import type { FuzzWorld } from './world.js';

/** What a route's own body may depend on: who calls, and the path parameters (decoded). */
export interface BodyContext {
  readonly callerId: string | null;
  readonly params: Readonly<Record<string, string>>;
}

type ShapedBodies = (world: FuzzWorld, context: BodyContext) => fc.Arbitrary<Buffer>[];

const json = (value: unknown) => Buffer.from(JSON.stringify(value) ?? 'null', 'utf8');
const form = (fields: Record<string, string | null>) =>
  Buffer.from(
    Object.entries(fields)
      .filter((entry): entry is [string, string] => entry[1] !== null)
      .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
      .join('&'),
  );

/** A field's value: mostly one the route expects, else anything at all (or missing). */
const oneOf = <T>(expected: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: expected, weight: 3 }, { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 });
/** Cron expressions croner takes, one that never fires, and some it refuses. */
const CRONS = ['0 * * * *', '*/5 * * * * *', '@daily', '0 0 30 2 *', '0 0 31 2 *', '61 * * * *', '* * *', ''];
const ZONES = ['UTC', 'Europe/Rome', 'America/St_Johns', '+01:00', 'Mars/Olympus', ''];
const decision = fc.oneof(fc.constantFrom('approve', 'reject', 'APPROVE', ''), hostileString);

/**
 * Bodies shaped like the ones a route takes, keyed by function name, so the fuzz gets past "body must
 * be …" into the handler. A route missing here still gets every generic body.
 */
export const ROUTE_BODIES: Readonly<Record<string, ShapedBodies>> = {
  PutSchedule: (world) => [
    fc
      .record(
        {
          schema_id: oneOf(fc.oneof(fc.constantFrom(...world.schemaIds, 'nope'), hostileString)),
          cron: oneOf(fc.oneof(fc.constantFrom(...CRONS), hostileString)),
          timezone: oneOf(fc.oneof(fc.constantFrom(...ZONES), hostileString)),
          params: oneOf(fc.dictionary(hostileString, fc.oneof(hostileString, fc.integer(), fc.boolean()))),
          enabled: oneOf(fc.boolean()),
          missed: oneOf(fc.constantFrom('skip', 'run-once', 'all')),
          description: oneOf(fc.string({ maxLength: 600 })),
        },
        { requiredKeys: [] },
      )
      .map(json),
  ],
  Trigger: () => [mutatedAlertPayload.map(json)],
  DecideApproval: () => [
    fc
      .record(
        { decision: oneOf(decision), reason: oneOf(fc.oneof(hostileString, fc.string({ maxLength: 600 }))) },
        { requiredKeys: [] },
      )
      .map(json),
  ],
  DecisionForm: (world, { callerId, params }) => [
    fc
      .record({
        token: fc.oneof(
          fc.constant(callerId && params.execId ? formToken(world.formKey, callerId, params.execId) : ''),
          fc.option(hostileString),
        ),
        decision: fc.option(decision),
        reason: fc.option(hostileString),
      })
      .map(form),
  ],
  SlackInteractions: (world) => [
    fc
      .record(
        {
          type: oneOf(fc.constant('block_actions')),
          user: oneOf(fc.record({ id: fc.oneof(fc.constantFrom(...world.slack.userIds), hostileString) })),
          actions: oneOf(
            fc.array(
              fc.record({
                action_id: fc.oneof(fc.constantFrom(APPROVE_ACTION, REJECT_ACTION, 'view'), hostileString),
                value: fc.oneof(fc.constantFrom(...world.execIds), hostileString),
              }),
              { maxLength: 3 },
            ),
          ),
          response_url: oneOf(
            fc.oneof(
              fc.constant(world.slack.responseUrl),
              fc.constantFrom('http://169.254.169.254/', ''),
              hostileString,
            ),
          ),
        },
        { requiredKeys: ['type'] },
      )
      .map((payload) => form({ payload: JSON.stringify(payload) })),
  ],
};
