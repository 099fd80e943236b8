import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newExecId } from '../../../src/core/execution.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

describe('LogStore', () => {
  let t: TestStorage;
  beforeAll(async () => {
    t = await createTestStorage();
  });
  afterAll(() => t.cleanup());

  it('reads a log from any offset: its bytes, then none at and past its end', async () => {
    const execId = newExecId();
    await t.storage.logs.create(execId);
    await t.storage.logs.append(execId, Buffer.from('line 1\nline 2\n'));
    expect((await t.storage.logs.read(execId))?.toString()).toBe('line 1\nline 2\n');
    expect((await t.storage.logs.read(execId, 7))?.toString()).toBe('line 2\n');
    expect(await t.storage.logs.read(execId, 14)).toEqual(Buffer.alloc(0));
    // found by the HTTP fuzz: a Last-Event-ID past the end made the live log stream end with the SDK's
    // "offset 15 shouldn't be larger than blob size 14" as an error event instead of the run's status
    expect(await t.storage.logs.read(execId, 15)).toEqual(Buffer.alloc(0));
    expect(await t.storage.logs.read(execId, Number.MAX_SAFE_INTEGER)).toEqual(Buffer.alloc(0));
  });

  it('answers null for a run with no log, and nothing for an empty one', async () => {
    expect(await t.storage.logs.read(newExecId())).toBeNull();
    const empty = newExecId();
    await t.storage.logs.create(empty);
    expect(await t.storage.logs.read(empty)).toEqual(Buffer.alloc(0));
  });
});
