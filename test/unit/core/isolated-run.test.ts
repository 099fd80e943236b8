import { describe, expect, it } from 'vitest';
import {
  checkRunCapability,
  OUTCOME_PREFIX,
  outcomeFromConsole,
  runCapability,
} from '../../../src/core/isolated-run.js';
import { attachableIdentity, IsolatedRunsEnv, isolatedRunsSettings } from '../../../src/core/isolation-settings.js';
import { parseEnv } from '../../../src/core/setting-values.js';

const KEY = 'worker-key-for-tests-0123456789abcdefghijkl';
const RUN = '01a24bef-4f54-79b2-90cd-b6afd4cbc8cb';
const OTHER = '01a24bef-4f54-79b2-90cd-b6afd4cbc8cc';
const NOW = Date.parse('2026-12-06T12:00:00Z');

describe('a run capability', () => {
  const capability = runCapability(KEY, RUN, NOW + 60_000);

  it('grants its own run until it expires, and nothing else', () => {
    expect(checkRunCapability(KEY, RUN, capability, NOW)).toEqual({ ok: true });
    expect(checkRunCapability(KEY, RUN, capability, NOW + 60_001)).toEqual({ ok: false, reason: 'expired' });
    expect(checkRunCapability(KEY, OTHER, capability, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(checkRunCapability(`${KEY}x`, RUN, capability, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('cannot be stretched: a later expiry with the same signature is refused', () => {
    const [, , mac] = capability.split('.');
    const stretched = `rc1.${NOW + 3_600_000}.${mac}`;
    expect(checkRunCapability(KEY, RUN, stretched, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('says what is wrong with a missing or malformed one', () => {
    expect(checkRunCapability(KEY, RUN, null, NOW)).toEqual({ ok: false, reason: 'missing' });
    expect(checkRunCapability(KEY, RUN, 'Bearer abc', NOW)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('the outcome a one-shot process prints', () => {
  const outcome = {
    status: 'failed',
    exitCode: 3,
    signal: null,
    error: 'exited with code 3: disk full',
    logBytes: 120,
    finishedAt: '2026-12-06T12:00:01.000Z',
    runbookOrigin: 'folder /runbooks',
    commitSha: null,
  };

  it('is its last outcome line, among whatever else the console holds', () => {
    const console = [
      'info something',
      `${OUTCOME_PREFIX}${JSON.stringify({ ...outcome, status: 'succeeded' })}`,
      `${OUTCOME_PREFIX}${JSON.stringify(outcome)}`,
      '',
    ].join('\n');
    expect(outcomeFromConsole(console)).toEqual(outcome);
  });

  it('is none when the process printed none, or nonsense, or a status a run cannot end in this way', () => {
    expect(outcomeFromConsole('node: killed\n')).toBeNull();
    expect(outcomeFromConsole(`${OUTCOME_PREFIX}{not json`)).toBeNull();
    expect(outcomeFromConsole(`${OUTCOME_PREFIX}${JSON.stringify({ ...outcome, status: 'running' })}`)).toBeNull();
  });
});

describe('the identity a container group is given', () => {
  const identities = {
    default: { clientId: 'dddddddd-1111-4222-8333-444444444444', resourceId: '/subscriptions/x/default' },
    ops: { clientId: 'aaaaaaaa-1111-4222-8333-444444444444', resourceId: '/subscriptions/x/ops' },
  };

  it('is the named one, the one of a client id (any case), or the default; none without a default', () => {
    expect(attachableIdentity('ops', identities)).toBe(identities.ops);
    expect(attachableIdentity('AAAAAAAA-1111-4222-8333-444444444444', identities)).toBe(identities.ops);
    expect(attachableIdentity(null, identities)).toBe(identities.default);
    expect(attachableIdentity(null, { ops: identities.ops })).toBeNull();
  });

  it('is an error naming the setting for one the deployment cannot attach', () => {
    expect(attachableIdentity('billing', identities)).toEqual({
      error: expect.stringMatching(
        /^identity "billing" cannot be attached to a container group: CLOUDO_ACI_IDENTITIES/,
      ),
    });
  });
});

describe('a worker’s isolated-run settings', () => {
  const load = (env: Record<string, string>) => {
    const problems: string[] = [];
    const values = parseEnv(IsolatedRunsEnv, env, problems);
    const settings = values ? isolatedRunsSettings(values, problems) : null;
    return { settings, problems };
  };
  const RG = '/subscriptions/0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d/resourceGroups/rg-runs';

  it('are none without a resource group, and need a region and an image with one', () => {
    expect(load({})).toEqual({ settings: null, problems: [] });
    expect(load({ CLOUDO_ACI_RESOURCE_GROUP_ID: RG }).problems).toEqual([
      'CLOUDO_ACI_RESOURCE_GROUP_ID needs CLOUDO_ACI_LOCATION and CLOUDO_ACI_IMAGE: where and what the groups run',
    ]);
  });

  it('read the resource group, the identities and their defaults', () => {
    const { settings } = load({
      CLOUDO_ACI_RESOURCE_GROUP_ID: RG,
      CLOUDO_ACI_LOCATION: 'westeurope',
      CLOUDO_ACI_IMAGE: 'cloudo.azurecr.io/worker:1',
      CLOUDO_ACI_IDENTITIES: JSON.stringify({
        default: {
          client_id: 'DDDDDDDD-1111-4222-8333-444444444444',
          resource_id:
            '/subscriptions/0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/runbooks',
        },
      }),
    });
    expect(settings).toMatchObject({
      subscriptionId: '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d',
      resourceGroup: 'rg-runs',
      armUrl: 'https://management.azure.com',
      pollMs: 2_000,
      startTimeoutMs: 600_000,
      orphanGraceMs: 900_000,
      identities: { default: { clientId: 'dddddddd-1111-4222-8333-444444444444' } },
    });
  });

  it('name the setting of a malformed identity map', () => {
    const { problems } = load({ CLOUDO_ACI_IDENTITIES: '{"ops": {"client_id": "nope"}}' });
    expect(problems.join('\n')).toMatch(/CLOUDO_ACI_IDENTITIES/);
  });
});
