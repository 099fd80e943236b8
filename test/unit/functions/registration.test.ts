import { afterEach, describe, expect, it, vi } from 'vitest';
import { app } from '../../../src/functions/azure-runtime.js';
import { createFunctionDefinitions } from '../../../src/functions/index.js';

describe('Azure registration (src/index.ts)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('registers with app.http and app.timer exactly the definitions the local host serves and runs', async () => {
    const registered: {
      kind: string;
      name: string;
      route?: unknown;
      methods?: unknown;
      authLevel?: unknown;
      schedule?: unknown;
    }[] = [];
    vi.spyOn(app, 'http').mockImplementation((name, options) => {
      registered.push({
        kind: 'http',
        name,
        route: options.route,
        methods: options.methods,
        authLevel: options.authLevel,
      });
    });
    vi.spyOn(app, 'timer').mockImplementation((name, options) => {
      registered.push({ kind: 'timer', name, schedule: options.schedule });
    });
    vi.spyOn(app, 'storageQueue').mockImplementation((name, options) => {
      registered.push({ kind: 'queue', name, schedule: options.queueName });
    });
    vi.spyOn(app, 'setup').mockImplementation(() => undefined);
    await import('../../../src/index.js');
    const served = createFunctionDefinitions(() => {
      throw new Error('not called while registering');
    }).map((d) =>
      d.kind === 'http'
        ? {
            kind: 'http',
            name: d.name,
            route: d.options.route,
            methods: d.options.methods,
            authLevel: d.options.authLevel,
          }
        : d.kind === 'timer'
          ? { kind: 'timer', name: d.name, schedule: d.schedule }
          : { kind: 'queue', name: d.name, schedule: d.queueName },
    );
    expect(registered).toEqual(served);
    expect(registered.map((r) => r.route ?? r.schedule)).toEqual(
      expect.arrayContaining([
        'Trigger/{team?}',
        'executions',
        'executions/{execId}',
        'logs',
        'healthz',
        '0 */1 * * * *',
      ]),
    );
  });
});
