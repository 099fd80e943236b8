import { approvalVersion } from '../core/approval-summary.js';
import type { Execution } from '../core/execution.js';
import type { Storage } from '../storage/index.js';
import { planApprovalMessage } from './plan.js';
import type { SendRound } from './send-round.js';

/** Ledger key of the posted approval message: its `ts` and channel ID. */
export const APPROVAL_POSTED_KEY = 'slack.approval';
/** Ledger key of one state of the message, `slack.approval.<state>.<decisions>`: each is shown once. */
const versionKey = (version: string) => `slack.approval.${version}`;
/** Held while one delivery posts the message, so that two handled at once do not both post it. */
const CLAIM_KEY = 'slack.approval.claim';
/** A claim this old is from a delivery that died while posting: another takes it over. */
const CLAIM_STALE_MS = 60_000;
/** Re-reads after a send: a run changes a few times at most while one message is handled. */
const MAX_CATCH_UPS = 3;

export interface ApprovalMessageDeps {
  readonly storage: Pick<Storage, 'executions' | 'notifications'>;
  readonly round: SendRound;
  readonly publicUrl: string;
  /**
   * Team whose Slack token posts and edits the message (null: the default token). Routing gives the same
   * team for every delivery of one run, so the edits reach the workspace the message is in.
   */
  readonly slackTeam: string | null;
}

interface PostedMessage {
  readonly ts: string;
  /** The channel ID Slack answered with: `chat.update` takes no `#name`. */
  readonly channel: string;
}

/**
 * Keeps a gated run's Slack approval message in step with the run: posts it once to `channel` (the route
 * of an approval request; null: the Slack notifier's default channel), then updates it in place once per
 * approval state. It always renders the row as it is now, so results handled late, twice or out of order
 * change nothing; and after each send it reads the row again and catches up, so that when two deliveries
 * race, the last edit shows the newest state.
 */
export async function syncApprovalMessage(
  deps: ApprovalMessageDeps,
  execution: Execution,
  channel: string | null,
): Promise<void> {
  const { storage, round } = deps;
  const { execId } = execution;
  let message = await postedMessage(storage, execId);
  if (!message) {
    const claimed = await storage.notifications.claim(execId, CLAIM_KEY, new Date(), CLAIM_STALE_MS);
    // another delivery is posting it: come back once it has, and update it instead (on the last attempt a
    // twin message is better than none)
    if (!claimed && !round.lastAttempt) {
      round.retryLater('slack: the approval message is being posted by another delivery');
      return;
    }
    try {
      // its holder may have posted it between our look and our claim
      message = await postedMessage(storage, execId);
      if (!message) {
        const posted = await post(deps, execution, channel);
        if (posted) await catchUp(deps, execution, posted);
        return;
      }
    } finally {
      if (claimed) await storage.notifications.release(execId, CLAIM_KEY);
    }
  }
  const version = approvalVersion(execution);
  if (!version || (await round.wasSent(versionKey(version)))) return;
  if (await update(deps, execution, message)) await catchUp(deps, execution, message);
}

async function postedMessage(storage: ApprovalMessageDeps['storage'], execId: string): Promise<PostedMessage | null> {
  const entry = await storage.notifications.get(execId, APPROVAL_POSTED_KEY);
  return entry?.status === 'sent' && entry.ref && entry.channel ? { ts: entry.ref, channel: entry.channel } : null;
}

/** Posts the message as the run stands and records both the message and the state it shows. */
async function post(
  deps: ApprovalMessageDeps,
  execution: Execution,
  channel: string | null,
): Promise<PostedMessage | null> {
  const notification = planApprovalMessage({ execution, channel, updateTs: null, publicUrl: deps.publicUrl });
  const version = approvalVersion(execution);
  if (!notification || !version) return null;
  const delivery = await deps.round.send('slack', notification, APPROVAL_POSTED_KEY, deps.slackTeam);
  if (!delivery?.ref || !delivery.channel) return null;
  await deps.storage.notifications.record(execution.execId, versionKey(version), {
    status: 'sent',
    ref: delivery.ref,
    channel: delivery.channel,
    reason: null,
    at: new Date().toISOString(),
  });
  return { ts: delivery.ref, channel: delivery.channel };
}

/** Edits the message to show the run as it stands; false when Slack did not take it. */
async function update(deps: ApprovalMessageDeps, execution: Execution, message: PostedMessage): Promise<boolean> {
  const notification = planApprovalMessage({
    execution,
    channel: message.channel,
    updateTs: message.ts,
    publicUrl: deps.publicUrl,
  });
  const version = approvalVersion(execution);
  if (!notification || !version) return false;
  return (await deps.round.send('slack', notification, versionKey(version), deps.slackTeam)) !== null;
}

/** Reads the run again after a send and updates the message until it shows the newest state. */
async function catchUp(deps: ApprovalMessageDeps, shown: Execution, message: PostedMessage): Promise<void> {
  let current = shown;
  for (let i = 0; i < MAX_CATCH_UPS; i++) {
    const latest = (await deps.storage.executions.get(current.execId))?.execution;
    if (!latest || approvalVersion(latest) === approvalVersion(current)) return;
    if (!(await update(deps, latest, message))) return;
    current = latest;
  }
}
