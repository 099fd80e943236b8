import { afterEach, describe, expect, it, vi } from 'vitest';
import { app } from '../../../src/functions/azure-runtime.js';
import { createFunctionDefinitions } from '../../../src/functions/index.js';

describe('Azure registration (src/index.ts)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('registers with app.http exactly the definitions the local host serves', async () => {
    const registered: { name: string; route: unknown; methods: unknown; authLevel: unknown }[] = [];
    vi.spyOn(app, 'http').mockImplementation((name, options) => {
      registered.push({ name, route: options.route, methods: options.methods, authLevel: options.authLevel });
    });
    await import('../../../src/index.js');
    const served = createFunctionDefinitions(() => {
      throw new Error('not called while registering');
    }).map((d) => ({
      name: d.name,
      route: d.options.route,
      methods: d.options.methods,
      authLevel: d.options.authLevel,
    }));
    expect(registered).toEqual(served);
    expect(registered.map((r) => r.route)).toEqual(
      expect.arrayContaining(['Trigger/{team?}', 'executions', 'executions/{execId}', 'logs', 'healthz']),
    );
  });
});
