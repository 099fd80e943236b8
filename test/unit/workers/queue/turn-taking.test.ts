import { describe, expect, it } from 'vitest';
import type { ExecutionStatus } from '../../../../src/core/execution.js';
import type { VersionedExecution } from '../../../../src/storage/index.js';
import type { TurnLocks } from '../../../../workers/queue/turn-taking.js';
import { ConcurrencySlots, ExclusiveTurns } from '../../../../workers/queue/turn-taking.js';

describe('ConcurrencySlots', () => {
  it('refuses a concurrency below one', () => {
    expect(() => new ConcurrencySlots(0)).toThrow('concurrency must be >= 1');
  });

  it('counts taken slots against the concurrency and frees each once, however often it is given back', () => {
    const slots = new ConcurrencySlots(2);
    const first = slots.take();
    const second = slots.take();
    expect(slots.free).toBe(0);
    first();
    first();
    expect(slots.free).toBe(1);
    second();
    expect(slots.free).toBe(2);
  });

  it('wakes whoever waits for a slot when one is given back, and not before', async () => {
    const slots = new ConcurrencySlots(1);
    const giveBack = slots.take();
    let woken = 0;
    const waits = [slots.whenFree(), slots.whenFree()].map((w) => w.then(() => woken++));
    await Promise.resolve();
    expect(woken).toBe(0);
    giveBack();
    await Promise.all(waits);
    expect(woken).toBe(2);
  });

  it('wakes the waiters on wakeAll (a closing worker) without freeing a slot', async () => {
    const slots = new ConcurrencySlots(1);
    slots.take();
    const waiting = slots.whenFree();
    slots.wakeAll();
    await waiting;
    expect(slots.free).toBe(0);
  });
});

/** Table RunLocks in memory, as RunLocks.acquire/release behave: one holder per key, replaceable once inactive. */
class FakeLocks implements TurnLocks {
  readonly holders = new Map<string, string>();

  async acquire(key: string, execId: string, holderIsActive: (holder: string) => Promise<boolean>): Promise<boolean> {
    const holder = this.holders.get(key);
    if (holder !== undefined && holder !== execId && (await holderIsActive(holder))) return false;
    this.holders.set(key, execId);
    return true;
  }

  async release(key: string, execId: string): Promise<void> {
    if (this.holders.get(key) === execId) this.holders.delete(key);
  }
}

function turnsWith(statuses: Record<string, ExecutionStatus>, waitTurnMs?: number) {
  const locks = new FakeLocks();
  const turns = new ExclusiveTurns({
    runLocks: locks,
    executions: {
      // only the status is read
      get: async (execId) => {
        const status = statuses[execId];
        return status ? ({ execution: { status }, etag: '' } as unknown as VersionedExecution) : null;
      },
    },
    waitTurnMs,
  });
  return { locks, turns };
}

describe('ExclusiveTurns', () => {
  it('lets a run without a key go at once, taking no lock', async () => {
    const { locks, turns } = turnsWith({});
    expect(await turns.take(undefined, 'a')).toBe(true);
    await turns.giveBack(undefined, 'a');
    expect(locks.holders.size).toBe(0);
  });

  it('makes a run wait while another run of its key is queued or running', async () => {
    const { turns } = turnsWith({ a: 'running', b: 'accepted' });
    expect(await turns.take('schema:vm-1', 'a')).toBe(true);
    expect(await turns.take('schema:vm-1', 'b')).toBe(false);
    expect(await turns.take('schema:vm-2', 'b')).toBe(true);
  });

  it('passes the turn on once its holder has ended or vanished, or gave it back', async () => {
    const statuses: Record<string, ExecutionStatus> = { a: 'running', b: 'accepted', c: 'accepted' };
    const { turns } = turnsWith(statuses);
    await turns.take('k', 'a');
    statuses.a = 'succeeded';
    expect(await turns.take('k', 'b')).toBe(true);

    await turns.take('k2', 'gone');
    expect(await turns.take('k2', 'c')).toBe(true);

    await turns.giveBack('k2', 'c');
    expect(await turns.take('k2', 'b')).toBe(true);
  });

  it('does not give back a turn another run holds now', async () => {
    const { locks, turns } = turnsWith({ a: 'running', b: 'running' });
    await turns.take('k', 'b');
    await turns.giveBack('k', 'a');
    expect(locks.holders.get('k')).toBe('b');
  });

  it('defers a waiting run by waitTurnMs, 5000 unless set', () => {
    expect(turnsWith({}).turns.waitTurnMs).toBe(5_000);
    expect(turnsWith({}, 250).turns.waitTurnMs).toBe(250);
  });
});
