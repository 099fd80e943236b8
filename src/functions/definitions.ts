import type { HttpFunctionOptions, HttpHandler, HttpMethod } from '@azure/functions';
import { toErrorResponse } from './http/errors.js';

/**
 * A function defined once, as data. `src/index.ts` registers the list with `app.*` for Azure, and the
 * local host serves the very same list.
 */
export interface HttpFunctionDefinition {
  readonly kind: 'http';
  readonly name: string;
  readonly options: HttpFunctionOptions & {
    readonly route: string;
    readonly methods: HttpMethod[];
    readonly authLevel: 'anonymous' | 'function' | 'admin';
  };
}

export type FunctionDefinition = HttpFunctionDefinition;

/** Wraps a handler so every thrown error becomes one `{ "error" }` response (see toErrorResponse). */
export function defineHttp(
  name: string,
  options: Omit<HttpFunctionDefinition['options'], 'handler'>,
  handler: HttpHandler,
): HttpFunctionDefinition {
  return {
    kind: 'http',
    name,
    options: {
      ...options,
      handler: async (request, context) => {
        try {
          return await handler(request, context);
        } catch (err) {
          return toErrorResponse(err, context);
        }
      },
    },
  };
}
