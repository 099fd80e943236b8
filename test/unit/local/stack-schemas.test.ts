import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStackSchemas } from '../../../src/local/stack-schemas.js';

const BROKEN = path.resolve('test/fixtures/schemas/original-with-broken-entry.json');

describe('the schemas npm start imports', () => {
  it('are the valid entries, each broken one logged as an ERROR line with its JSON path', async () => {
    const lines: string[] = [];
    const { schemas } = await readStackSchemas(BROKEN, (line) => lines.push(line));
    expect(schemas).toHaveLength(4);
    expect(lines).toEqual([
      `ERROR ${BROKEN}: 2 entries NOT imported ([0].entity[2] (broken-args), [2].entity[1] (000-0000-0e0e00wa-wqesd)):`,
      'ERROR   [0].entity[2].run_args: run_args has an unterminated single quote',
      'ERROR   [2].entity[1].id: duplicate id "000-0000-0e0e00wa-wqesd" (first defined at [0].entity[1].id)',
    ]);
  });

  it('stop the stack when nothing in the file is usable, naming each problem', async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'cloudo-stack-')), 'schemas.json');
    await writeFile(file, JSON.stringify([{ partition_key: 'p', entity: [{ id: 'a' }] }]));
    await expect(readStackSchemas(file, () => {})).rejects.toThrow(/is invalid:\n {2}\[0\]\.entity\[0\]\.name/);
  });

  it('log nothing for a clean file', async () => {
    const lines: string[] = [];
    await readStackSchemas(path.resolve('schemas/schemas.json'), (line) => lines.push(line));
    expect(lines).toEqual([]);
  });
});
