import type { AlertContext } from '../core/alert-context.js';
import { deliveryKey, firedDeliveryKey } from '../core/alert-delivery.js';
import type { Execution, RunTrigger } from '../core/execution.js';
import { newExecId } from '../core/execution.js';
import { alertSummary, planRun } from '../core/run-plan.js';
import type { RunbookSchema } from '../core/runbook-schema.js';
import { handlesAlertRule } from '../core/runbook-schema.js';
import type { WakeWorkers } from '../runs/index.js';
import { NO_WAKE, RunDispatcher } from '../runs/index.js';
import type { PendingRequest, Storage } from '../storage/index.js';
import type { RunAlertWriter } from './run-alert.js';
import { saveRunAlert } from './run-alert.js';
import { UnmatchedAlerts } from './unmatched-alerts.js';

/** What became of one alert for one schema (or of an alert no schema handles). */
export interface IntakeOutcome {
  /** `pending_approval`: a run was recorded for a gated schema and waits for people to decide. */
  readonly kind: 'started' | 'pending_approval' | 'deduplicated' | 'skipped' | 'cancelled' | 'unmatched';
  /** The run started, deduplicated to, cancelled or found active; null when there is none. */
  readonly execId: string | null;
  readonly schemaId: string | null;
  readonly alertRule: string | null;
  readonly monitorCondition: 'Fired' | 'Resolved';
  /** Why it did not start a run. */
  readonly reason: string | null;
  /** An unmatched alert's repeat, counted on the row its first delivery wrote (`execId`). */
  readonly isRepeat?: boolean;
}

export interface IntakeRequest {
  /** `?id=` of the webhook: when given, every alert goes to this schema. */
  readonly schema: RunbookSchema | null;
  readonly alerts: readonly AlertContext[];
  /** The payload as received, handed to the runbook as CLOUDO_ALERT_FILE. */
  readonly payload: unknown;
  readonly trigger: RunTrigger;
}

/**
 * Turns parsed alerts into runs: picks the schemas, runs each once per alert and condition (a
 * conditional insert on a deterministic key), applies on_resolved and concurrency, and records alerts no
 * schema handles. Only storage calls that the answer depends on happen here; nothing slow.
 */
export class AlertIntake {
  private readonly unmatched: UnmatchedAlerts;
  private readonly dispatcher: RunDispatcher;

  /**
   * @param aksClusters the deployment's AKS integration (CLOUDO_AKS_CLUSTERS): an alert about one of them
   * gets AKS credentials under `aks_credentials: auto`.
   * @param wake nudges a worker once a run is queued (default: none, runs wait for a poll).
   */
  constructor(
    private readonly storage: Storage,
    private readonly now: () => Date = () => new Date(),
    private readonly aksClusters: readonly string[] = [],
    wake: WakeWorkers = NO_WAKE,
  ) {
    this.unmatched = new UnmatchedAlerts(storage, now);
    this.dispatcher = new RunDispatcher(storage, wake);
  }

  async accept(request: IntakeRequest): Promise<IntakeOutcome[]> {
    let catalogue: RunbookSchema[] | undefined;
    // the payload is stored once, with the first run it starts; every run of the request points at it
    let pending: PendingRequest | undefined;
    const shared: RunAlertWriter = (execId, alert) => {
      pending ??= this.storage.alertPayloads.startRequest(request.payload);
      return saveRunAlert(this.storage, execId, alert, pending);
    };
    // a request that can start one run at most keeps its payload in that run's blob: one write, not two
    const whole: RunAlertWriter = (execId, alert) =>
      this.storage.alertPayloads.saveWhole(execId, { alert, payload: request.payload });
    const schemasFor = async (alert: AlertContext): Promise<RunbookSchema[]> => {
      if (request.schema) return [request.schema];
      catalogue ??= await this.storage.schemas.list();
      const rule = alert.alertRule;
      return rule ? catalogue.filter((s) => handlesAlertRule(s, rule)) : [];
    };
    const outcomes: IntakeOutcome[] = [];
    for (const alert of request.alerts) {
      const schemas = await schemasFor(alert);
      const saveAlert = request.alerts.length === 1 && schemas.length <= 1 ? whole : shared;
      if (schemas.length === 0) {
        outcomes.push(await this.recordUnmatched(alert, request.trigger, saveAlert));
        continue;
      }
      for (const schema of schemas) outcomes.push(await this.acceptFor(schema, alert, request, saveAlert));
    }
    return outcomes;
  }

  private async acceptFor(
    schema: RunbookSchema,
    alert: AlertContext,
    request: IntakeRequest,
    saveAlert: RunAlertWriter,
  ): Promise<IntakeOutcome> {
    const base = { schemaId: schema.id, alertRule: alert.alertRule, monitorCondition: alert.monitorCondition };
    if (alert.monitorCondition === 'Resolved' && schema.onResolved !== 'run') {
      return schema.onResolved === 'cancel'
        ? this.cancelFired(schema, alert, base)
        : this.skip(base, 'on_resolved is skip');
    }
    // rows keep the resource id as alertSummary cut it: look for that one, which a filter can also carry
    const { resourceId } = alertSummary(alert);
    if (schema.concurrency === 'skip' && resourceId) {
      const active = await this.activeRunOn(schema.id, resourceId);
      if (active)
        return { ...base, kind: 'skipped', execId: active, reason: 'a run on this resource is already active' };
    }
    const now = this.now();
    const execId = newExecId(now.getTime());
    const key = deliveryKey(alert);
    const windowMs = schema.dedupeWindowMinutes * 60_000;
    if (windowMs > 0) {
      const claim = await this.storage.alertDeliveries.claim(schema.id, key, execId, now, windowMs);
      if (claim.kind === 'duplicate') {
        return {
          ...base,
          kind: 'deduplicated',
          execId: claim.execId,
          reason: 'the same alert already started this run',
        };
      }
    }
    const plan = planRun(schema, request.trigger, now, execId, alert, { aksClusters: this.aksClusters });
    try {
      await this.dispatcher.dispatch(plan, () => saveAlert(execId, alert));
    } catch (err) {
      if (windowMs > 0) await this.storage.alertDeliveries.release(schema.id, key, execId);
      throw err;
    }
    return { ...base, kind: plan.job ? 'started' : 'pending_approval', execId, reason: null };
  }

  /**
   * on_resolved cancel: a run the Fired alert queued (or that still waits for approval) and no worker has
   * started yet never starts.
   */
  private async cancelFired(
    schema: RunbookSchema,
    alert: AlertContext,
    base: Pick<IntakeOutcome, 'schemaId' | 'alertRule' | 'monitorCondition'>,
  ): Promise<IntakeOutcome> {
    const fired = await this.storage.alertDeliveries.find(schema.id, firedDeliveryKey(alert));
    const current = fired ? await this.storage.executions.get(fired.execId) : null;
    const status = current?.execution.status;
    if (!current || (status !== 'accepted' && status !== 'pending_approval')) {
      return this.skip(base, 'on_resolved is cancel and no queued run of this alert is waiting');
    }
    const cancelled: Execution = {
      ...current.execution,
      status: 'cancelled',
      finishedAt: this.now().toISOString(),
      error: 'cancelled: the alert resolved before the run started',
    };
    try {
      await this.storage.executions.transition(current, cancelled);
    } catch {
      return this.skip(base, 'on_resolved is cancel but the run had already started');
    }
    // announced like a cancel from the console: a pending run's approval request is updated in place
    await this.storage.results.publish(cancelled);
    return { ...base, kind: 'cancelled', execId: current.execution.execId, reason: cancelled.error };
  }

  private skip(
    base: Pick<IntakeOutcome, 'schemaId' | 'alertRule' | 'monitorCondition'>,
    reason: string,
  ): IntakeOutcome {
    return { ...base, kind: 'skipped', execId: null, reason };
  }

  private async activeRunOn(schemaId: string, resourceId: string): Promise<string | null> {
    for (const status of ['running', 'accepted', 'pending_approval'] as const) {
      const page = await this.storage.executions.list({ schemaId, status, resourceId, limit: 1 });
      const found = page.executions[0];
      if (found) return found.execId;
    }
    return null;
  }

  private async recordUnmatched(
    alert: AlertContext,
    trigger: RunTrigger,
    saveAlert: RunAlertWriter,
  ): Promise<IntakeOutcome> {
    const { execId, isRepeat, reason } = await this.unmatched.record(alert, trigger, saveAlert);
    return {
      kind: 'unmatched',
      execId,
      schemaId: null,
      alertRule: alert.alertRule,
      monitorCondition: alert.monitorCondition,
      reason,
      isRepeat,
    };
  }
}
