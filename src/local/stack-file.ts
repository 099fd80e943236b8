import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { isProcessRunning } from './process-alive.js';

/** stack.json in the local stack's state folder (`CLOUDO_STATE_DIR`). */
const stackFile = (stateDir: string) => path.join(stateDir, 'stack.json');

/** Written by `npm start` so the CLI (and tests) find the running local stack without configuration. */
const StackFile = z.object({
  url: z.string(),
  pid: z.number(),
  connectionString: z.string(),
  namespace: z.string(),
  /**
   * Child processes (Azurite, then the running workers), so an operator (or a test) can check nothing
   * outlives a stop; rewritten when a worker restarts with a new pid.
   */
  childPids: z.array(z.number()),
});
export type StackFile = z.infer<typeof StackFile>;

export async function writeStackFile(stateDir: string, content: StackFile): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  // written aside, then renamed over: a reader never sees half a file (and takes the stack for gone)
  const partial = `${stackFile(stateDir)}.${process.pid}.tmp`;
  await writeFile(partial, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  await rename(partial, stackFile(stateDir));
}

export async function removeStackFile(stateDir: string): Promise<void> {
  await rm(stackFile(stateDir), { force: true });
}

/**
 * Keeps stack.json in step with a running stack whose workers may restart: one write at a time, each
 * with the newest content, and none after remove() (a late write would leave a stopped stack listed).
 */
export class StackFileWriter {
  private latest: StackFile | undefined;
  private queue: Promise<void> = Promise.resolve();
  private removed = false;

  constructor(private readonly stateDir: string) {}

  write(content: StackFile): Promise<void> {
    this.latest = content;
    return this.enqueue(() =>
      this.removed || !this.latest ? Promise.resolve() : writeStackFile(this.stateDir, this.latest),
    );
  }

  remove(): Promise<void> {
    this.removed = true;
    return this.enqueue(() => removeStackFile(this.stateDir));
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.queue.then(step);
    // one failed write must not stop the later ones
    this.queue = next.catch(() => undefined);
    return next;
  }
}

export async function readStackFile(stateDir: string): Promise<StackFile | null> {
  try {
    return StackFile.parse(JSON.parse(await readFile(stackFile(stateDir), 'utf8')));
  } catch {
    return null;
  }
}

/** The running local stack, or null when none started or its process is gone (a crash leaves stack.json behind). */
export async function readRunningStack(stateDir: string): Promise<StackFile | null> {
  const stack = await readStackFile(stateDir);
  return stack && isProcessRunning(stack.pid) ? stack : null;
}

/** Storage settings of the running local stack, or {} when none runs. */
export async function readLocalStackEnv(stateDir: string): Promise<Record<string, string>> {
  const stack = await readRunningStack(stateDir);
  if (!stack) return {};
  return { AzureWebJobsStorage: stack.connectionString, CLOUDO_STORAGE_NAMESPACE: stack.namespace };
}
