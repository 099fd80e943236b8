import type { JobMessage } from '../core/job-message.js';
import { failDispatch } from '../core/run-lifecycle.js';
import type { RunPlan } from '../core/run-plan.js';
import { jobFor } from '../core/run-plan.js';
import type { ExecutionRepository, JobQueue, ResultQueue, Storage, VersionedRun } from '../storage/index.js';
import type { WakeWorkers } from './worker-wake.js';
import { NO_WAKE } from './worker-wake.js';

/**
 * Records a run and then queues it, in that order: a worker never receives a job whose row does not
 * exist, and a job that could not be queued leaves a row saying so instead of vanishing. A gated run is
 * announced on the results queue instead of queued, so the people who decide hear of it. Once a job is
 * queued a worker of its capability is nudged to poll now (`wake`, bounded to a few ms, never failing).
 */
export class RunDispatcher {
  private readonly executions: ExecutionRepository;
  private readonly jobs: Pick<JobQueue, 'enqueue'>;
  private readonly results: Pick<ResultQueue, 'publish'>;

  constructor(
    storage: Pick<Storage, 'executions' | 'jobs' | 'results'>,
    private readonly wake: WakeWorkers = NO_WAKE,
  ) {
    this.executions = storage.executions;
    this.jobs = storage.jobs;
    this.results = storage.results;
  }

  /**
   * `alongside` is written in parallel with the row (an alert's payload): the job is queued only once
   * both are stored, because a worker may take it at once.
   */
  async dispatch(plan: RunPlan, alongside?: () => Promise<void>): Promise<void> {
    const [created, stored] = await Promise.allSettled([this.executions.create(plan.execution), alongside?.()]);
    if (created.status === 'rejected') throw created.reason;
    await this.proceed(plan, created.value, stored);
  }

  /**
   * Dispatches a run whose id is deterministic (a schedule's tick) unless a row with that id exists: true
   * when this call recorded it, false when another call had (and so queues, or queued, it).
   */
  async dispatchOnce(plan: RunPlan): Promise<boolean> {
    const etag = await this.executions.createOnce(plan.execution);
    if (etag === null) return false;
    await this.proceed(plan, etag, { status: 'fulfilled', value: undefined });
    return true;
  }

  private async proceed(plan: RunPlan, etag: string, stored: PromiseSettledResult<void>): Promise<void> {
    if (stored.status === 'rejected') {
      // the row exists but its run is not whole: end it, saying why, rather than leave it accepted for ever
      await this.end({ execution: plan.execution, etag }, `could not be recorded whole: ${reasonOf(stored.reason)}`);
      throw stored.reason;
    }
    const { job } = plan;
    if (job) await this.enqueueOrRecord({ execution: plan.execution, etag }, job);
    // a gated run waits: nothing is queued, and its approval request goes out
    else await this.results.publish(plan.execution);
  }

  /** Queues a run that was just approved (its row already says `accepted`). */
  async release(run: VersionedRun): Promise<void> {
    await this.enqueueOrRecord(run, jobFor(run.execution));
  }

  /** A job that cannot be queued leaves its run `error` with the reason, not `accepted` forever. */
  private async enqueueOrRecord(run: VersionedRun, job: JobMessage): Promise<void> {
    try {
      await this.jobs.enqueue(job);
    } catch (err) {
      await this.end(run, `could not be queued: ${reasonOf(err)}`);
      throw err;
    }
    // only now: a worker woken before the message is visible would poll an empty queue and back off.
    // Not awaited: the nudge overlaps the caller's remaining work, which settles it before answering
    this.wake.wake(job.worker);
  }

  /** Best effort: the caller reports the failure itself, whether or not the row could say so too. */
  private async end(run: VersionedRun, error: string): Promise<void> {
    await this.executions.transition(run, failDispatch(run.execution, error, new Date())).catch(() => undefined);
  }
}

const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
