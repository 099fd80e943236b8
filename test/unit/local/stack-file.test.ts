import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StackFile } from '../../../src/local/stack-file.js';
import { readStackFile, StackFileWriter } from '../../../src/local/stack-file.js';

/** stack.json follows the stack as its workers restart, and is gone once the stack stopped. */
describe('the stack file writer', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-stack-file-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const content = (childPids: number[]): StackFile => ({
    url: 'http://127.0.0.1:7071',
    pid: process.pid,
    connectionString: 'UseDevelopmentStorage=true',
    namespace: '',
    childPids,
  });

  it('ends with the newest content when writes overlap, and leaves no partial file behind', async () => {
    const writer = new StackFileWriter(dir);
    await Promise.all([writer.write(content([1, 2])), writer.write(content([1, 3])), writer.write(content([1, 4]))]);
    expect(await readStackFile(dir)).toEqual(content([1, 4]));
    expect(await readdir(dir)).toEqual(['stack.json']);
  });

  it('leaves no file once removed, whatever writes were pending or come later', async () => {
    const writer = new StackFileWriter(dir);
    await writer.write(content([1, 2]));
    const late = writer.write(content([1, 3]));
    await writer.remove();
    await late;
    await writer.write(content([1, 4]));
    expect(await readdir(dir)).toEqual([]);
  });
});
