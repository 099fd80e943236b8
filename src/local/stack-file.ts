import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/** Written by `npm start` so the CLI finds the running local stack's storage without configuration. */
export const STACK_FILE = path.join('.cloudo', 'stack.json');

const StackFile = z.object({ url: z.string(), pid: z.number(), connectionString: z.string(), namespace: z.string() });
export type StackFile = z.infer<typeof StackFile>;

export async function writeStackFile(content: StackFile): Promise<void> {
  await mkdir(path.dirname(STACK_FILE), { recursive: true });
  await writeFile(STACK_FILE, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
}

export async function removeStackFile(): Promise<void> {
  await rm(STACK_FILE, { force: true });
}

/** Storage settings of the running local stack, or {} when none runs. */
export async function readLocalStackEnv(): Promise<Record<string, string>> {
  try {
    const stack = StackFile.parse(JSON.parse(await readFile(STACK_FILE, 'utf8')));
    process.kill(stack.pid, 0);
    return { AzureWebJobsStorage: stack.connectionString, CLOUDO_STORAGE_NAMESPACE: stack.namespace };
  } catch {
    return {};
  }
}
