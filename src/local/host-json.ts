import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** A host.json time span, `hh:mm:ss` or `hh:mm:ss.fff`, in ms. */
const TimeSpanMs = z
  .string()
  .regex(/^\d{2}:\d{2}:\d{2}(\.\d{1,3})?$/, 'expected a time span "hh:mm:ss" or "hh:mm:ss.fff"')
  .transform((span) => {
    const [hours = 0, minutes = 0, seconds = 0] = span.split(':').map(Number);
    return Math.round(((hours * 60 + minutes) * 60 + seconds) * 1000);
  });

/**
 * host.json `extensions.queues`: how the Functions host feeds queue functions, and so how the local host
 * does. What host.json leaves out takes the Functions host's documented default.
 */
const HostQueues = z
  .object({
    /** Longest pause between two polls of an empty queue (default 1 min). */
    maxPollingInterval: TimeSpanMs.default(60_000),
    /** How long a message whose function threw stays out of sight before its next delivery (default 0). */
    visibilityTimeout: TimeSpanMs.default(0),
    /** Messages fetched at once (default 16, at most 32). */
    batchSize: z.number().int().min(1).max(32).default(16),
    /** A new batch is fetched once the messages in hand are down to this many (default batchSize / 2). */
    newBatchThreshold: z.number().int().min(0).optional(),
    /** Deliveries before a message goes to `<queue>-poison` (default 5). */
    maxDequeueCount: z.number().int().min(1).default(5),
  })
  .transform((q) => ({
    maxPollingIntervalMs: q.maxPollingInterval,
    visibilityTimeoutMs: q.visibilityTimeout,
    batchSize: q.batchSize,
    // the host's default is N * batchSize / 2 with N the instance's vCPUs; one local host counts as one
    newBatchThreshold: q.newBatchThreshold ?? Math.floor(q.batchSize / 2),
    maxDequeueCount: q.maxDequeueCount,
  }));
export type HostQueues = z.output<typeof HostQueues>;

const HostJson = z.object({ extensions: z.object({ queues: HostQueues.optional() }).optional() });

/** The app's host.json: the folder above this file's tree that holds one (the root, from src/ or dist/src/). */
export function hostJsonPath(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'host.json');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`no host.json in ${from} or any folder above it`);
  }
}

/** Reads the queue settings of host.json, the one place they are written; a wrong value names its field. */
export function readHostQueues(file = hostJsonPath()): HostQueues {
  const parsed = HostJson.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data.extensions?.queues ?? HostQueues.parse({});
}
