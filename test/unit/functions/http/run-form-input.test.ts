import { describe, expect, it } from 'vitest';
import { isFormToken } from '../../../../src/core/form-token.js';
import { readRunForm, runFormView } from '../../../../src/functions/http/run-form-input.js';
import { testSchema } from '../../../support/schemas.js';

const schema = testSchema({
  id: 'deploy',
  parameters: [
    { name: 'target', type: 'string', required: true, pattern: '[a-z]+', description: '' },
    { name: 'count', type: 'number', required: false, default: 2, description: '' },
    { name: 'dry', type: 'boolean', required: false, default: true, description: '' },
    { name: 'mode', type: 'enum', required: false, values: ['fast', 'safe'], description: '' },
  ],
});

const form = (fields: Record<string, string>) => new URLSearchParams({ token: 't', ...fields });

describe('readRunForm', () => {
  it('reads typed values; an unchecked box is false, an empty field is not given', () => {
    expect(readRunForm(schema, form({ 'param.target': 'web', 'param.count': '', 'param.mode': '' }))).toEqual({
      ok: true,
      params: { target: 'web', dry: false },
    });
    expect(
      readRunForm(
        schema,
        form({ 'param.target': 'db', 'param.count': '5', 'param.dry': 'true', 'param.mode': 'safe' }),
      ),
    ).toEqual({ ok: true, params: { target: 'db', count: '5', dry: true, mode: 'safe' } });
  });

  it('puts each problem under its parameter and keeps what was typed', () => {
    const read = readRunForm(schema, form({ 'param.target': 'Web 1', 'param.count': 'many', 'param.mode': 'slow' }));
    expect(read).toEqual({
      ok: false,
      values: { target: 'Web 1', count: 'many', dry: false, mode: 'slow' },
      problems: { target: ['must match [a-z]+'], count: ['must be a number'], mode: ['must be one of fast, safe'] },
    });
    expect(readRunForm(schema, form({}))).toMatchObject({ ok: false, problems: { target: ['is required'] } });
  });

  it('ignores fields that name no parameter, the token among them', () => {
    expect(readRunForm(schema, form({ 'param.target': 'a', 'param.other': 'x', target: 'b' }))).toEqual({
      ok: true,
      params: { target: 'a', dry: false },
    });
  });

  it('issues a token for this person, this schema and the run form only', () => {
    const view = runFormView('key', 'alice', schema, undefined);
    expect(view.action).toBe('/api/console/runbooks/deploy/run');
    expect(isFormToken('key', 'alice', 'deploy', view.token, 'run-form')).toBe(true);
    expect(isFormToken('key', 'bob', 'deploy', view.token, 'run-form')).toBe(false);
    expect(isFormToken('key', 'alice', 'other', view.token, 'run-form')).toBe(false);
    expect(isFormToken('key', 'alice', 'deploy', view.token, 'approval-form')).toBe(false);
  });
});
