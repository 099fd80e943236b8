import type { TableClient, TableEntityResult } from '@azure/data-tables';
import { z } from 'zod';
import { statusOf } from './clients.js';
import { readStored } from './stored-value.js';

/** A worker as it last said it was. */
export const WorkerBeat = z.object({
  /** Capability it serves (the schemas' `worker`). */
  capability: z.string(),
  /** Unique per process: host, pid and a random part. */
  workerId: z.string(),
  host: z.string(),
  version: z.string(),
  concurrency: z.number().int(),
  /** Runs it is executing right now. */
  runningRuns: z.array(z.string()),
  /**
   * Who its runbooks run as: `separate-users` (one uid per run, unable to read the worker's secrets) or
   * `none` (the worker's own user: a developer's laptop). A row written before this was known reads `none`.
   */
  runbookIsolation: z.enum(['separate-users', 'none']).default('none'),
  startedAt: z.iso.datetime({ offset: true }),
  /**
   * Where the Functions app nudges it to poll at once when a run is queued (`POST`, signed with
   * `CLOUDO_WAKE_KEY`); absent: it only polls.
   */
  wakeUrl: z.url({ protocol: /^https?$/ }).optional(),
  lastSeen: z.iso.datetime({ offset: true }),
});
export type WorkerBeat = z.infer<typeof WorkerBeat>;

function fromTableEntity(entity: TableEntityResult<Record<string, unknown>>): WorkerBeat {
  return readStored(
    WorkerBeat,
    {
      capability: entity.partitionKey,
      workerId: entity.rowKey,
      host: entity.host,
      version: entity.version,
      concurrency: entity.concurrency,
      runbookIsolation: entity.runbookIsolation,
      runningRuns: JSON.parse(String(entity.runningRuns ?? '[]')),
      startedAt: entity.startedAt,
      wakeUrl: entity.wakeUrl ?? undefined,
      lastSeen: entity.lastSeen,
    },
    `worker ${String(entity.rowKey)}`,
  );
}

/** Table `Workers`: PartitionKey = capability, RowKey = worker id; one row per live worker process. */
export class WorkerRegistry {
  constructor(private readonly table: TableClient) {}

  async ensureTable(): Promise<void> {
    await this.table.createTable();
  }

  async beat(beat: WorkerBeat): Promise<void> {
    const { capability, workerId, runningRuns, wakeUrl, ...rest } = WorkerBeat.parse(beat);
    await this.table.upsertEntity(
      {
        partitionKey: capability,
        rowKey: workerId,
        ...rest,
        ...(wakeUrl ? { wakeUrl } : {}),
        runningRuns: JSON.stringify(runningRuns),
      },
      'Replace',
    );
  }

  async get(capability: string, workerId: string): Promise<WorkerBeat | null> {
    try {
      return fromTableEntity(await this.table.getEntity<Record<string, unknown>>(capability, workerId));
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  async list(): Promise<WorkerBeat[]> {
    const out: WorkerBeat[] = [];
    for await (const row of this.table.listEntities<Record<string, unknown>>()) out.push(fromTableEntity(row));
    return out.sort((a, b) => a.capability.localeCompare(b.capability) || a.workerId.localeCompare(b.workerId));
  }

  /** A worker that stops cleanly takes itself off the list. */
  async remove(capability: string, workerId: string): Promise<void> {
    await this.table.deleteEntity(capability, workerId).catch((err: unknown) => {
      if (statusOf(err) !== 404) throw err;
    });
  }
}
