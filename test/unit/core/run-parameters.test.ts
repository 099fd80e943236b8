import { describe, expect, it } from 'vitest';
import { paramsEnv, RunbookParameters, resolveParams } from '../../../src/core/run-parameters.js';

const declared = RunbookParameters.parse([
  { name: 'namespace', required: true, pattern: '[a-z0-9-]{1,63}', description: 'Kubernetes namespace' },
  { name: 'replicas', type: 'number', default: 2 },
  { name: 'dry_run', type: 'boolean', default: true },
  { name: 'mode', type: 'enum', values: ['restart', 'scale'], default: 'restart' },
  { name: 'note' },
]);

describe('run parameters', () => {
  it('fills defaults, reads form text as its type, and leaves out what was neither sent nor defaulted', () => {
    expect(resolveParams(declared, { namespace: 'payments', replicas: '5', dry_run: 'FALSE' })).toEqual({
      ok: true,
      params: { namespace: 'payments', replicas: 5, dry_run: false, mode: 'restart' },
    });
  });

  it('names every problem by its parameter', () => {
    const result = resolveParams(declared, {
      namespace: 'Payments; rm -rf /',
      replicas: 'many',
      dry_run: 'yes',
      mode: 'delete',
      colour: 'red',
    });
    expect(result).toEqual({
      ok: false,
      problems: [
        'params.colour: unknown parameter (this runbook takes namespace, replicas, dry_run, mode, note)',
        'params.namespace: must match [a-z0-9-]{1,63}',
        'params.replicas: must be a number',
        'params.dry_run: must be true or false',
        'params.mode: must be one of restart, scale',
      ],
    });
    expect(resolveParams(declared, {})).toEqual({ ok: false, problems: ['params.namespace: is required'] });
    expect(resolveParams([], { a: '1' })).toEqual({
      ok: false,
      problems: ['params.a: this runbook takes no parameters'],
    });
    expect(resolveParams(declared, ['namespace'])).toMatchObject({ ok: false });
    expect(resolveParams(declared, { namespace: 'a', note: 'x\0y' })).toEqual({
      ok: false,
      problems: ['params.note: must not contain NUL characters'],
    });
  });

  it('matches a pattern against the whole value', () => {
    expect(resolveParams(declared, { namespace: 'ok-ns\nevil' })).toMatchObject({ ok: false });
    expect(resolveParams(declared, { namespace: 'x'.repeat(64) })).toMatchObject({ ok: false });
  });

  it('reaches the runbook as CLOUDO_PARAM_<NAME> text', () => {
    expect(paramsEnv({ namespace: 'payments', replicas: 5, dry_run: false })).toEqual({
      CLOUDO_PARAM_NAMESPACE: 'payments',
      CLOUDO_PARAM_REPLICAS: '5',
      CLOUDO_PARAM_DRY_RUN: 'false',
    });
  });

  it('refuses declarations that could never be met or would share a variable', () => {
    const problems = RunbookParameters.safeParse([
      { name: 'mode', type: 'enum' },
      { name: 'Mode' },
      { name: 'count', type: 'number', default: 'ten' },
      { name: 'tag', pattern: '(' },
      { name: '1st' },
    ]);
    expect(problems.success).toBe(false);
    expect(problems.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      '0.values: an enum needs values',
      '2.default: must be a number',
      '3.pattern: is not a valid regular expression',
      '4.name: must be a letter then up to 63 letters, digits or "_"',
      '1.name: same variable as parameters[0]',
    ]);
  });
});
