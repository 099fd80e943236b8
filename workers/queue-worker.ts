import { randomBytes } from 'node:crypto';
import type { ContainerGroups } from '../src/containers/index.js';
import type { Execution, Run } from '../src/core/execution.js';
import { isTerminal } from '../src/core/execution.js';
import type { IsolatedRunsSettings } from '../src/core/isolation-settings.js';
import type { Log } from '../src/core/log.js';
import { Poller } from '../src/core/poller.js';
import type { Redactor } from '../src/core/redaction.js';
import { createRedactor, secretValues } from '../src/core/redaction.js';
import type { RunIdentitySettings } from '../src/core/run-identity-settings.js';
import type { RunbookAccountRange, WorkerSettings } from '../src/core/worker-settings.js';
import type {
  AlertPayloadStore,
  ExecutionRepository,
  LogStore,
  ReceivedMessage,
  ResultQueue,
  RunLocks,
  Storage,
  WorkerQueue,
  WorkerRegistry,
} from '../src/storage/index.js';
import type { ContainerRunDependencies } from './isolated/index.js';
import { containerRunDependencies, executeContainerRun } from './isolated/index.js';
import {
  announceResult,
  CancelWatcher,
  ConcurrencySlots,
  ExclusiveTurns,
  giveUp,
  Heartbeat,
  LeaseKeeper,
  readJob,
} from './queue/index.js';
import type { CancelReason, RunDependencies, RunResult } from './run/index.js';
import { claimRun, executeRun, FederatedTokenClient, RunbookAccounts, recordOutcome, SHUTDOWN } from './run/index.js';
import type { RunbookSource } from './source/index.js';

/** Timings and limits come straight from the worker settings (documented there). */
/** The storage a worker serving `workerName` uses, as QueueWorkerOptions names it. */
export function workerStores(storage: Storage, workerName: string) {
  return {
    queue: storage.jobs.forWorker(workerName),
    executions: storage.executions,
    logs: storage.logs,
    alertPayloads: storage.alertPayloads,
    runLocks: storage.runLocks,
    registry: storage.workers,
    results: storage.results,
  } satisfies Partial<QueueWorkerOptions>;
}

export interface QueueWorkerOptions
  extends Pick<
    WorkerSettings,
    | 'concurrency'
    | 'pollMaxIntervalMs'
    | 'visibilityTimeoutMs'
    | 'killGraceMs'
    | 'shutdownGraceMs'
    | 'logFlushIntervalMs'
    | 'logMaxBytes'
    | 'heartbeatMs'
    | 'aksTimeoutMs'
  > {
  readonly queue: WorkerQueue;
  readonly executions: ExecutionRepository;
  readonly logs: LogStore;
  /** Where alert runs find their alert and original payload. */
  readonly alertPayloads: AlertPayloadStore;
  /** Locks of runs that must not overlap (schema concurrency `queue`). */
  readonly runLocks: RunLocks;
  /** How long a run waiting for its turn stays out of sight before it tries again (default 5000). */
  readonly waitTurnMs?: number;
  /** How often a running run's row is checked for a cancel request (default 500). */
  readonly cancelPollMs?: number;
  readonly runbooks: RunbookSource;
  /** Capability served (the `worker` of the schemas). */
  readonly workerName: string;
  /** Recorded on each run it executes. */
  readonly hostName: string;
  /** Unique id of this process, its row in Table Workers (default: host, pid and a random part). */
  readonly workerId?: string;
  /** Table Workers, where this worker heartbeats; housekeeping abandons runs of a worker that stopped. */
  readonly registry: WorkerRegistry;
  /** Where every finished run is announced (the results function notifies on-call from there). */
  readonly results: Pick<ResultQueue, 'publish'>;
  /** Reported in Table Workers. */
  readonly version?: string;
  /** Where this worker's wake-up listener is reached (Table Workers tells the app); absent: it only polls. */
  readonly wakeUrl?: string | null;
  /** Deliveries after which a message is given up as poison (default 5). */
  readonly maxDeliveries?: number;
  /** The worker's environment, filtered into each run's (see buildRunbookEnv in core). */
  readonly workerEnv: Readonly<Record<string, string | undefined>>;
  readonly runbookEnvPassthrough?: readonly string[];
  /** Where isolated runs get their container groups (`CLOUDO_ACI_*`); absent or null: this worker runs none. */
  readonly isolated?: IsolatedRunsSettings | null;
  /** The container groups of that resource group (ARM); absent or null: this worker runs no isolated run. */
  readonly containerGroups?: ContainerGroups | null;
  /** Uids runbooks run as, one per running run (`CLOUDO_RUNBOOK_UIDS`); absent or null: as the worker. */
  readonly runbookAccounts?: RunbookAccountRange | null;
  /** Where each run's own Azure token comes from (`CLOUDO_APP_URL`, `CLOUDO_WORKER_KEY`); absent or null: none. */
  readonly runIdentity?: RunIdentitySettings | null;
  readonly log?: Log;
}

/**
 * A long-running consumer of one capability's queue: polls, claims each run exactly once, executes it
 * with live logs, records the outcome, then deletes the message.
 */
export class QueueWorker {
  private readonly poller: Poller;
  private readonly leases: LeaseKeeper;
  private readonly cancels: CancelWatcher;
  private readonly redact: Redactor;
  private readonly heartbeat: Heartbeat;
  private readonly runDeps: RunDependencies;
  private readonly accounts: RunbookAccounts | null;
  readonly workerId: string;
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  /** Execution id of each claimed run, by message id: what the heartbeat reports. */
  private readonly runIds = new Map<string, string>();
  /** What isolated runs need, or why this worker cannot run them. */
  private readonly containerDeps: ContainerRunDependencies | { readonly problem: string };
  private readonly log: Log;
  private readonly slots: ConcurrencySlots;
  private readonly turns: ExclusiveTurns;
  private started = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: QueueWorkerOptions) {
    this.slots = new ConcurrencySlots(options.concurrency);
    this.turns = new ExclusiveTurns(options);
    this.log = options.log ?? defaultLog;
    this.leases = new LeaseKeeper({
      queue: options.queue,
      visibilityTimeoutMs: options.visibilityTimeoutMs,
      onLost: (message, err) => this.log('warn', `could not renew message ${message.messageId}`, err),
    });
    this.redact = createRedactor(secretValues(options.workerEnv));
    this.accounts = options.runbookAccounts
      ? new RunbookAccounts(options.runbookAccounts, (err) => this.log('warn', 'cleaning up after a run failed', err))
      : null;
    this.workerId = options.workerId ?? `${options.hostName}-${process.pid}-${randomBytes(3).toString('hex')}`;
    const runIdentity = options.runIdentity
      ? new FederatedTokenClient({ ...options.runIdentity, workerId: this.workerId })
      : null;
    this.runDeps = { ...options, accounts: this.accounts, runIdentity, redact: this.redact, log: this.log };
    this.containerDeps = containerRunDependencies({ ...options, redact: this.redact, log: this.log });
    this.heartbeat = new Heartbeat({
      registry: options.registry,
      identity: {
        capability: options.workerName,
        workerId: this.workerId,
        host: options.hostName,
        version: options.version ?? 'dev',
        concurrency: options.concurrency,
        runbookIsolation: this.accounts ? 'separate-users' : 'none',
        startedAt: new Date().toISOString(),
        ...(options.wakeUrl ? { wakeUrl: options.wakeUrl } : {}),
      },
      runningRuns: () => [...this.runIds.values()],
      intervalMs: options.heartbeatMs,
      onError: (err) => this.log('warn', 'heartbeat failed', err),
    });
    this.cancels = new CancelWatcher({
      intervalMs: options.cancelPollMs ?? 500,
      source: {
        cancelRequestedBy: async (execId) =>
          (await options.executions.get(execId))?.execution.cancelRequestedBy ?? null,
      },
      onError: (execId, err) => this.log('warn', `could not check run ${execId} for a cancel request`, err),
    });
    this.poller = new Poller({
      maxIntervalMs: options.pollMaxIntervalMs,
      capacity: () => this.slots.free,
      whenCapacity: () => this.slots.whenFree(),
      poll: (max) => this.pollOnce(max),
      onError: (err) => this.log('error', `polling ${options.queue.name} failed`, err),
    });
  }

  /** Starts polling; resolves once the worker is listed in Table Workers. */
  async start(): Promise<void> {
    if (this.started) throw new Error('worker already started');
    this.started = true;
    // listed before the first claim, so housekeeping never sees a run of a worker it does not know
    await this.heartbeat.start();
    this.poller.start();
  }

  isRunning(): boolean {
    return this.started && !this.closing;
  }

  /** Polls now rather than at the end of the idle pause: a run was just queued (a nudge). */
  wake(): void {
    if (this.isRunning()) this.poller.wake();
  }

  /** Runs in progress right now. */
  get activeRuns(): number {
    return this.running.size;
  }

  /**
   * Stops polling, lets running runbooks finish for up to `shutdownGraceMs` (0 with `force`), kills the
   * rest, and stops lease renewals. Returns the same promise on every call.
   */
  close(options: { force?: boolean } = {}): Promise<void> {
    // a forced close during a graceful one cuts the grace short
    if (options.force && this.closing) this.killRunning();
    this.closing ??= this.shutdown(options.force === true);
    return this.closing;
  }

  private killRunning(): void {
    for (const run of this.running.values()) run.abort.abort(SHUTDOWN);
  }

  private async shutdown(force: boolean): Promise<void> {
    await this.poller.stop().catch((err) => this.log('error', 'poller stop failed', err));
    const runs = [...this.running.values()];
    if (runs.length > 0) {
      const all = Promise.allSettled(runs.map((r) => r.done));
      const grace = force ? 0 : this.options.shutdownGraceMs;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        all.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), grace);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        this.killRunning();
        await all;
      }
    }
    this.leases.close();
    this.cancels.close();
    await this.accounts?.drain();
    await this.heartbeat
      .stop()
      .catch((err) => this.log('warn', 'could not remove this worker from Table Workers', err));
    this.slots.wakeAll();
  }

  private async pollOnce(max: number): Promise<number> {
    const messages = await this.options.queue.receive(max, this.options.visibilityTimeoutMs);
    for (const message of messages) this.track(message);
    return messages.length;
  }

  /** Every message counts against the concurrency from the moment it is received. */
  private track(message: ReceivedMessage): void {
    const abort = new AbortController();
    const key = message.messageId;
    const giveBackSlot = this.slots.take();
    const done = this.handle(message, abort.signal, giveBackSlot)
      .catch((err) => this.log('error', `message ${key} failed; it will be retried after its visibility timeout`, err))
      .finally(() => {
        this.running.delete(key);
        giveBackSlot();
      });
    this.running.set(key, { abort, done });
  }

  /** `ran`: called once the run's outcome is recorded, when its slot may go to the next run. */
  private async handle(message: ReceivedMessage, signal: AbortSignal, ran: () => void): Promise<void> {
    const { queue } = this.options;
    const read = readJob(message);
    if (!read.ok) {
      this.log('warn', `message ${message.messageId} is poison: ${read.reason}`);
      // a run it still names ends saying why; a message naming none is parked as it is
      const why = read.execId ? `its job message was unreadable: ${read.reason}` : read.reason;
      await giveUp(this.options, message, read.execId, why);
      return;
    }
    const { job } = read;
    const maxDeliveries = this.options.maxDeliveries ?? 5;
    if (message.dequeueCount > maxDeliveries) {
      await giveUp(this.options, message, job.execId, `delivered ${message.dequeueCount} times without finishing`);
      return;
    }
    const { exclusiveKey } = job;
    if (!(await this.turns.take(exclusiveKey, job.execId))) {
      await queue.defer(message, this.turns.waitTurnMs);
      return;
    }
    await this.claimAndRun(message, job.execId, signal, exclusiveKey, ran);
  }

  /** An `isolation: container` run, in a container group of its own; an error when this worker cannot. */
  private async executeIsolated(run: Run, signal: AbortSignal, ran: () => void): Promise<RunResult> {
    const deps = this.containerDeps;
    if ('problem' in deps) {
      ran();
      return {
        execution: { ...run, status: 'error', finishedAt: new Date().toISOString(), error: deps.problem },
        logTail: null,
      };
    }
    return executeContainerRun(deps, run, signal, ran);
  }

  /** `exclusiveKey`: the turn this run holds, given back once its outcome is recorded. */
  private async claimAndRun(
    message: ReceivedMessage,
    execId: string,
    signal: AbortSignal,
    exclusiveKey: string | undefined,
    ran: () => void,
  ): Promise<void> {
    const { queue, executions } = this.options;
    const claim = await claimRun(executions, execId, { host: this.options.hostName, id: this.workerId });
    if (claim.kind === 'missing') {
      await queue.moveToPoison(message, `no execution ${execId}`);
      return;
    }
    if (claim.kind === 'not-claimable') {
      if (isTerminal(claim.status)) {
        // finished, but its message outlived it: the result may never have been announced (announce failed,
        // or the worker died in between). Announce it again; on-call's ledger drops what it already sent.
        await this.turns.giveBack(exclusiveKey, execId);
        // the claim just read the finished row: announced as read, without reading it again
        await announceResult(this.options.results, claim.current);
      } else {
        this.log('info', `run ${execId} is already ${claim.status}; dropping duplicate delivery`);
      }
      await queue.delete(message);
      return;
    }
    const release = this.leases.track(message);
    this.runIds.set(message.messageId, execId);
    const stopWatching = this.cancels.watch(execId, (by) => {
      this.log('info', `run ${execId}: cancel requested by ${by}; killing its process tree`);
      this.running.get(message.messageId)?.abort.abort({ cancelledBy: by } satisfies CancelReason);
    });
    try {
      // the slot goes to the next run as soon as this one's processes are gone: closing its log and
      // recording its outcome are storage round trips, not a runbook running
      const run = claim.run.execution;
      const executing =
        run.isolation === 'container'
          ? this.executeIsolated(run, signal, ran)
          : executeRun(this.runDeps, run, signal, ran);
      const result = await executing.catch((err: unknown) => {
        // the run is ours and marked running: end it with the reason rather than leave it running forever
        this.log('error', `run ${execId} failed inside the worker`, err);
        const execution: Execution = {
          ...claim.run.execution,
          status: 'error',
          finishedAt: new Date().toISOString(),
          error: `the worker could not run it: ${err instanceof Error ? err.message : String(err)}`,
        };
        return { execution, logTail: null };
      });
      await recordOutcome(executions, claim.run, result.execution);
      // only a run that ran gives its turn back: a duplicate delivery of a running run must not
      await this.turns.giveBack(exclusiveKey, execId);
      // a run that ended before its runbook ran (an error) gives its slot back here. Announcing it and
      // deleting its message never held the slot; close still waits for both.
      ran();
      await announceResult(this.options.results, result.execution, result.logTail);
    } finally {
      stopWatching();
      this.runIds.delete(message.messageId);
      await release();
    }
    // the message goes only once the result is on the results queue: until then it is the promise to announce
    await queue.delete(message);
  }
}

function defaultLog(level: 'info' | 'warn' | 'error', message: string, err?: unknown): void {
  const line = `${new Date().toISOString()} ${level} ${message}`;
  if (level === 'info') console.log(line);
  else console.error(line, err ?? '');
}
