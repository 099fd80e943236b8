import type { z } from 'zod';
import { ZodError } from 'zod';

/**
 * A row or blob that does not match the contract it was written under (written around ClouDO, or by a
 * version that knew another contract). The server's fault, never the caller's: it must not reach an
 * HTTP caller as a 400 naming a field they never sent.
 */
export class StoredDataError extends Error {
  override readonly name = 'StoredDataError';
}

/** Parses what storage holds through its contract; a mismatch is a StoredDataError naming what and where. */
export function readStored<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  try {
    return schema.parse(value);
  } catch (err) {
    if (!(err instanceof ZodError)) throw err;
    const issue = err.issues[0];
    throw new StoredDataError(
      `stored ${what} does not match its contract: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
}
