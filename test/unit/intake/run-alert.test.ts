import { describe, expect, it } from 'vitest';
import type { AlertContext } from '../../../src/core/alert-context.js';
import { saveRunAlert } from '../../../src/intake/run-alert.js';
import type { Storage } from '../../../src/storage/index.js';

/** A promise settled from outside, to hold the request's payload write open. */
function deferred() {
  let resolve: () => void = () => undefined;
  let reject: (err: Error) => void = () => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const alert = { alertRule: 'cpu' } as unknown as AlertContext;

function recordingStorage() {
  const saved: { execId: string; requestId: string }[] = [];
  const storage = {
    alertPayloads: {
      save: async (execId: string, value: { requestId: string }) => {
        saved.push({ execId, requestId: value.requestId });
      },
    },
  } as unknown as Pick<Storage, 'alertPayloads'>;
  return { storage, saved };
}

describe('saveRunAlert', () => {
  it("writes the run's blob while the request's payload is still being written, and settles after both", async () => {
    const { storage, saved } = recordingStorage();
    const payload = deferred();
    let settled = false;
    const done = saveRunAlert(storage, 'exec-1', alert, { requestId: 'req-1', stored: payload.promise }).then(() => {
      settled = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(saved).toEqual([{ execId: 'exec-1', requestId: 'req-1' }]);
    expect(settled).toBe(false);
    payload.resolve();
    await done;
    expect(settled).toBe(true);
  });

  it("fails when the request's payload could not be stored, so the run is not queued", async () => {
    const { storage } = recordingStorage();
    const payload = deferred();
    const done = saveRunAlert(storage, 'exec-1', alert, { requestId: 'req-1', stored: payload.promise });
    payload.reject(new Error('blob write failed'));
    await expect(done).rejects.toThrow('blob write failed');
  });
});
