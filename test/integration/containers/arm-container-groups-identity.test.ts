import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArmContainerGroups } from '../../../src/containers/index.js';
import type { FakeContainerInstances, FakeManagedIdentity } from '../../support/fake-container-instances.js';
import {
  fakeArmCredential,
  startFakeContainerInstances,
  startFakeManagedIdentity,
} from '../../support/fake-container-instances.js';

const CHILD = path.resolve('test/fixtures/containers/list-container-groups.ts');
const CLIENT_ID = '6f1c2a4e-5b7d-4e9a-8c3f-1d2e3f4a5b6c';

describe('a worker process reaching ARM with its managed identity (DefaultAzureCredential)', () => {
  let aci: FakeContainerInstances;
  let identity: FakeManagedIdentity;

  beforeAll(async () => {
    aci = await startFakeContainerInstances();
    identity = await startFakeManagedIdentity();
  });
  afterAll(async () => {
    await identity.close();
    await aci.close();
  });

  it('gets the fake’s token from IDENTITY_ENDPOINT for ARM’s resource and lists the groups', async () => {
    const name = 'cloudo-run-identity-check';
    const groups = new ArmContainerGroups({
      settings: aci.settings,
      credential: fakeArmCredential,
      pollMs: 50,
      clientOptions: { tlsOptions: { ca: aci.ca } },
    });
    await groups.create({
      name,
      location: 'westeurope',
      image: 'cloudoacr.azurecr.io/cloudo-worker:1.4.0',
      command: ['true'],
      environment: {},
      secureEnvironment: {},
      cpu: 0.5,
      memoryGb: 0.5,
      identityResourceIds: [],
      subnetId: null,
      registry: null,
      tags: { 'cloudo-exec-id': 'identity-check' },
    });

    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CHILD], {
      env: {
        PATH: process.env.PATH,
        ...identity.env,
        // the fake's self-signed certificate: what a process without our tlsOptions trusts it by
        NODE_EXTRA_CA_CERTS: aci.caFile,
        CLOUDO_ACI_RESOURCE_GROUP_ID: `/subscriptions/${aci.settings.subscriptionId}/resourceGroups/${aci.settings.resourceGroup}`,
        CLOUDO_ACI_CLIENT_ID: CLIENT_ID,
        CLOUDO_ACI_ARM_URL: aci.url,
      },
      timeout: 60_000,
    });

    expect(JSON.parse(stdout)).toEqual([{ name, tags: { 'cloudo-exec-id': 'identity-check' } }]);
    // the scope `${armUrl}/.default`, asked as the user-assigned identity CLOUDO_ACI_CLIENT_ID names
    expect(identity.requests).toEqual([{ resource: aci.url, clientId: CLIENT_ID }]);
    // the fake answers only its own bearer token: a 200 is the managed identity's token reaching ARM
    expect(aci.requests.filter((r) => r.op === 'list').map((r) => r.status)).toEqual([200]);
  });
});
