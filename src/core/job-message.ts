import { z } from 'zod';
import { ExecId } from './execution.js';

/**
 * What a worker receives: a pointer to an Execution row, never the script, its arguments or any secret.
 * The worker reads the run's details from the row, so a forged message can at most start a run that was
 * already accepted.
 */
export const JobMessage = z.object({
  /** Contract version; bump on an incompatible change and keep reading the old one for a release. */
  v: z.literal(1),
  execId: ExecId,
  schemaId: z.string().min(1),
  /** Worker capability, which is also the queue this message sits on. */
  worker: z.string().min(1),
  enqueuedAt: z.iso.datetime({ offset: true }),
  /**
   * Runs sharing this key run one at a time (schema concurrency `queue`: schema + resource). Optional, so
   * messages written before it existed still parse.
   */
  exclusiveKey: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export type JobMessage = z.infer<typeof JobMessage>;
