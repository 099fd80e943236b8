import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  generateSchemaJson,
  RUNBOOK_PATTERN,
  renderSchemaJson,
  SCHEMA_JSON_PATH,
} from '../../../scripts/generate-schema-json.js';
import { runbookNameProblem } from '../../../src/core/safe-path.js';

describe('schemas/schema.json', () => {
  it('is exactly what scripts/generate-schema-json.ts generates from the zod schema now', () => {
    // on failure: npx tsx scripts/generate-schema-json.ts, then review and commit the diff
    expect(readFileSync(SCHEMA_JSON_PATH, 'utf8')).toBe(renderSchemaJson());
  });

  it('declares draft 2020-12 and says what it is', () => {
    const schema = generateSchemaJson();
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBeTruthy();
    expect(schema.title).toBeTruthy();
    expect(schema.description).toContain('do not edit by hand');
  });

  describe('runbook pattern', () => {
    // JSON Schema validators compile patterns as ECMA-262 with the u flag
    const pattern = new RegExp(RUNBOOK_PATTERN, 'u');
    const names = [
      'check_sys.sh',
      'test.py',
      'aks/restart-pod.sh',
      'a/b/c/d.py',
      '.hidden.sh',
      '..sh',
      'x..y/z',
      'dir.d/run',
      '/etc/passwd',
      '../secret.sh',
      'a/../../b.sh',
      'a/..',
      '..',
      '.',
      './check_sys.sh',
      'a/./b',
      'a//b',
      'a/',
      '',
      '-rf',
      'a/-x.sh',
      'C:/x.sh',
      'c:x',
      'a\\b.sh',
      'nul\u0000byte',
      'über/skript.sh',
    ];

    it.each(names)('agrees with runbookNameProblem on %j', (name) => {
      expect(pattern.test(name)).toBe(runbookNameProblem(name) === null);
    });
  });
});

describe('schemas/schema.json with a JSON Schema validator', () => {
  const validate = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true }).compile(generateSchemaJson());
  const load = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
  it.each(['schemas/schemas.json', 'test/fixtures/schemas/original-readme-example.json'])('accepts %s', (path) => {
    expect(validate(load(path)), JSON.stringify(validate.errors)).toBe(true);
  });
  it('rejects an entry without runbook, naming it', () => {
    const file = load('schemas/schemas.json') as [{ entity: Record<string, unknown>[] }];
    delete file[0].entity[0]?.runbook;
    expect(validate(file)).toBe(false);
    expect(validate.errors?.map((e) => `${e.instancePath} ${e.message}`)).toEqual([
      "/0/entity/0 must have required property 'runbook'",
    ]);
  });
});
