import { describe, expect, it } from 'vitest';
import { parseRouteTemplate } from '../../../src/local/route-template.js';

describe('route templates as Azure Functions reads them', () => {
  it('matches literals case-insensitively and binds optional parameters', () => {
    const route = parseRouteTemplate('Trigger/{team?}');
    expect(route.match('trigger')).toEqual({});
    expect(route.match('TRIGGER/payments')).toEqual({ team: 'payments' });
    expect(route.match('trigger/a/b')).toBeNull();
    expect(route.match('other')).toBeNull();
  });

  it('binds required parameters and decodes them', () => {
    const route = parseRouteTemplate('executions/{execId}/log');
    expect(route.match('executions/abc%20d/log')).toEqual({ execId: 'abc d' });
    expect(route.match('executions/abc')).toBeNull();
    expect(route.match('executions/%E0%A4%A/log')).toBeNull();
  });

  it('refuses the template syntax no route uses (catch-alls, constraints) rather than match unlike Azure', () => {
    expect(() => parseRouteTemplate('items/{n:int}')).toThrow('unsupported route segment "{n:int}" in "items/{n:int}"');
    expect(() => parseRouteTemplate('files/{*path}')).toThrow('unsupported route segment "{*path}"');
  });

  it('ranks literal routes above parameter routes', () => {
    expect(parseRouteTemplate('logs/new').specificity).toBeGreaterThan(parseRouteTemplate('logs/{id}').specificity);
  });
});
