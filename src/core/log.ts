/**
 * How ClouDO's own code reports what happened: a level, a sentence, and the error behind it if any. Each
 * entrypoint decides where it goes (the console, a function's InvocationContext).
 */
export type Log = (level: 'info' | 'warn' | 'error', message: string, err?: unknown) => void;
