import type { RunPlan } from '../core/run-plan.js';
import type { ExecutionRepository } from './execution-repository.js';
import type { JobQueue } from './job-queue.js';

/**
 * Records a run and then queues it, in that order: a worker never receives a job whose row does not
 * exist, and a job that could not be queued leaves a row saying so instead of vanishing.
 */
export class RunDispatcher {
  constructor(
    private readonly executions: ExecutionRepository,
    private readonly jobs: JobQueue,
  ) {}

  /**
   * `alongside` is written in parallel with the row (an alert's payload): the job is queued only once
   * both are stored, because a worker may take it at once.
   */
  async dispatch(plan: RunPlan, alongside?: () => Promise<void>): Promise<void> {
    const [etag] = await Promise.all([this.executions.create(plan.execution), alongside?.()]);
    // a gated run waits for its approval: nothing goes on the queue
    if (!plan.job) return;
    try {
      await this.jobs.enqueue(plan.job);
    } catch (err) {
      await this.executions
        .transition(
          { execution: plan.execution, etag },
          {
            ...plan.execution,
            status: 'error',
            finishedAt: new Date().toISOString(),
            error: `could not be queued: ${(err as Error).message}`,
          },
        )
        .catch(() => undefined);
      throw err;
    }
  }
}
