import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

/** What an import reports as changed is what a reader of the registry would see change. */
describe('importing schemas', () => {
  let t: TestStorage;
  beforeAll(async () => {
    t = await createTestStorage();
  });
  afterAll(() => t.cleanup());

  it('sees a field that only the new version has (a team added) as a change, and reads it back', async () => {
    const first = await t.storage.schemas.importSchemas([testSchema({ id: 'disk', team: null })]);
    expect(first.created).toEqual(['disk']);
    const again = await t.storage.schemas.importSchemas([testSchema({ id: 'disk', team: null })]);
    expect(again.unchanged).toEqual(['disk']);
    const withTeam = await t.storage.schemas.importSchemas([testSchema({ id: 'disk', team: 'storage' })]);
    expect(withTeam.updated).toEqual(['disk']);
    expect(await t.storage.schemas.get('disk')).toEqual(testSchema({ id: 'disk', team: 'storage' }));
  });

  it('keeps a container schema’s size, and reads a shared one’s as none', async () => {
    const big = testSchema({ id: 'build', isolation: 'container', resources: { cpu: 2.5, memoryGb: 8 } });
    const shared = testSchema({ id: 'ping' });
    await t.storage.schemas.importSchemas([big, shared]);
    expect(await t.storage.schemas.get('build')).toEqual(big);
    expect(await t.storage.schemas.get('ping')).toMatchObject({ isolation: 'shared', resources: null });
    const smaller = { ...big, resources: { cpu: 1, memoryGb: 2 } };
    expect((await t.storage.schemas.importSchemas([smaller, shared])).updated).toEqual(['build']);
    expect(await t.storage.schemas.get('build')).toEqual(smaller);
  });
});
