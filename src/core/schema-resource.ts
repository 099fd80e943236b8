import type { RunbookSchema } from './runbook-schema.js';

const snakeCase = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

type SnakeCase<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${SnakeCase<Tail>}`
  : S;

/** The schema as the public API shows it: the file's own field names (`partition_key`, `run_args`...). */
export type SchemaResource = { [K in keyof RunbookSchema as SnakeCase<K & string>]: RunbookSchema[K] };

export function toSchemaResource(schema: RunbookSchema): SchemaResource {
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [snakeCase(key), value])) as SchemaResource;
}
