import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRun } from '../../src/core/run-plan.js';
import type { Storage } from '../../src/storage/index.js';
import { bearerFor } from '../support/functions.js';
import { startedRun } from '../support/runs.js';
import { HTTP_TRIGGER, testSchema } from '../support/schemas.js';
import type { SecuredApp } from '../support/secured-app.js';
import { startSecuredApp } from '../support/secured-app.js';
import { parseEvents } from '../support/sse.js';
import type { TestStorage } from '../support/storage.js';
import { createTestStorage } from '../support/storage.js';
import { waitFor } from '../support/wait.js';

/**
 * Live-log streams (`GET /api/executions/{execId}/stream`) are bounded: a few per caller and a total per
 * process, refused beyond with 429 and the setting to change; a stream's slot comes back however it ends.
 * All the streams of one run share one storage poller, so N viewers of a run cost the reads of one.
 */

const CAPS = { perCaller: 3, total: 5 };

/** One stream as a client sees it: its status, then its text as it arrives, read in the background. */
interface OpenStream {
  readonly response: Response;
  text(): string;
  /** The log text the `log` events carried, in order. */
  logText(): string;
  /** Resolves when the server has ended the body. */
  readonly ended: Promise<void>;
  until(needle: string): Promise<void>;
  /** The client goes away (a closed tab). */
  close(): void;
}

async function openStream(
  app: SecuredApp,
  execId: string,
  authorization: string,
  headers: Record<string, string> = {},
): Promise<OpenStream> {
  const abort = new AbortController();
  const response = await app.fetch(`/api/executions/${execId}/stream`, {
    headers: { authorization, ...headers },
    signal: abort.signal,
  });
  let text = '';
  const body = response.status === 200 ? response.body : null;
  const ended = (async () => {
    if (!body) return;
    const reader = body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
      }
    } catch {
      // the client aborted: the body ends here
    }
  })();
  return {
    response,
    text: () => text,
    logText: () =>
      parseEvents(text)
        .filter((e) => e.event === 'log')
        .map((e) => String(e.data))
        .join(''),
    ended,
    until: async (needle) => {
      await waitFor(`"${needle.trim()}" on the stream`, () => (text.includes(needle) ? true : undefined));
    },
    close: () => abort.abort(),
  };
}

/** Counts the app's storage reads per run, and fails a run's log reads on demand (a storage outage). */
function instrument(storage: Storage) {
  const logReads = new Map<string, number>();
  const logReadsWithBytes = new Map<string, number>();
  const statusReads = new Map<string, number>();
  const failing = new Set<string>();
  const bump = (counts: Map<string, number>, execId: string) => counts.set(execId, (counts.get(execId) ?? 0) + 1);
  const { logs, executions } = storage;
  const read = logs.read.bind(logs);
  logs.read = async (execId, offset) => {
    bump(logReads, execId);
    if (failing.has(execId)) throw new Error('blob service unavailable');
    const bytes = await read(execId, offset);
    if (bytes && bytes.length > 0) bump(logReadsWithBytes, execId);
    return bytes;
  };
  const get = executions.get.bind(executions);
  executions.get = (execId) => {
    bump(statusReads, execId);
    return get(execId);
  };
  return {
    failing,
    /** Reads of the run's status and log so far. */
    reads: (execId: string) => (logReads.get(execId) ?? 0) + (statusReads.get(execId) ?? 0),
    /** Log reads that returned new bytes. */
    readsWithBytes: (execId: string) => logReadsWithBytes.get(execId) ?? 0,
  };
}

describe('live-log streams', () => {
  let t: TestStorage;
  let app: SecuredApp;
  let reads: ReturnType<typeof instrument>;
  let alice: string;
  let bob: string;
  let carol: string;

  beforeAll(async () => {
    t = await createTestStorage();
    app = await startSecuredApp(t, {}, {}, undefined, {
      liveLogStreams: CAPS,
      liveLogTiming: { pollMs: 20 },
    });
    reads = instrument(app.services.storage);
    alice = await bearerFor(t, 'viewer', 'alice');
    bob = await bearerFor(t, 'viewer', 'bob');
    carol = await bearerFor(t, 'viewer', 'carol');
  });
  afterAll(async () => {
    await app.close();
    // closing the host ends every stream: nothing keeps polling after it
    await waitFor('no stream and no poller left', () => {
      const { streams, pollers } = app.services.liveLogs.stats();
      return streams === 0 && pollers === 0 ? true : undefined;
    });
    await t.cleanup();
  });

  /** A run in progress, with its (empty) log. */
  const running = async () => {
    const { execution: started, etag } = await startedRun(t);
    return {
      execId: started.execId,
      append: (text: string) => t.storage.logs.append(started.execId, Buffer.from(text)),
      finish: () =>
        t.storage.executions.transition(
          { execution: started, etag },
          { ...started, status: 'succeeded', exitCode: 0, finishedAt: new Date().toISOString() },
        ),
    };
  };

  const openMany = async (count: number, execId: string, authorization: string) => {
    const streams: OpenStream[] = [];
    for (let i = 0; i < count; i++) streams.push(await openStream(app, execId, authorization));
    return streams;
  };

  /** Closes streams as clients do and waits until the app has let go of them. */
  const closeAll = async (streams: readonly OpenStream[]) => {
    for (const s of streams) s.close();
    await waitFor('every stream released', () => (app.services.liveLogs.stats().streams === 0 ? true : undefined));
  };

  const expectRefused = async (stream: OpenStream, setting: string, cap: number) => {
    expect(stream.response.status).toBe(429);
    expect(stream.response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    const body = (await stream.response.json()) as { error: string };
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toContain(setting);
    expect(body.error).toContain(String(cap));
  };

  describe('caps', () => {
    it('refuses a caller a stream beyond CLOUDO_STREAMS_PER_CALLER with 429 and Retry-After, not others', async () => {
      const run = await running();
      const open = await openMany(3, run.execId, alice);
      expect(open.map((s) => s.response.status)).toEqual([200, 200, 200]);
      await expectRefused(await openStream(app, run.execId, alice), 'CLOUDO_STREAMS_PER_CALLER', CAPS.perCaller);
      // another token of the same person is the same caller
      const aliceAgain = await bearerFor(t, 'viewer', 'alice');
      await expectRefused(await openStream(app, run.execId, aliceAgain), 'CLOUDO_STREAMS_PER_CALLER', 3);
      const bobs = await openStream(app, run.execId, bob);
      expect(bobs.response.status).toBe(200);
      await closeAll([...open, bobs]);
    });

    it('refuses anyone a stream beyond CLOUDO_STREAMS_TOTAL', async () => {
      const run = await running();
      const open = [...(await openMany(3, run.execId, alice)), ...(await openMany(2, run.execId, bob))];
      expect(open.map((s) => s.response.status)).toEqual([200, 200, 200, 200, 200]);
      await expectRefused(await openStream(app, run.execId, carol), 'CLOUDO_STREAMS_TOTAL', CAPS.total);
      await closeAll(open);
    });

    it('gives the slots back when clients go away: open 3, close them, open 3 again, three times', async () => {
      const run = await running();
      for (let round = 0; round < 3; round++) {
        const open = await openMany(3, run.execId, alice);
        expect(open.map((s) => s.response.status)).toEqual([200, 200, 200]);
        await expectRefused(await openStream(app, run.execId, alice), 'CLOUDO_STREAMS_PER_CALLER', 3);
        await closeAll(open);
      }
    });

    it('gives the slots back when the run finishes, before the stream ends', async () => {
      const run = await running();
      const open = await openMany(3, run.execId, alice);
      await run.append('done\n');
      await run.finish();
      await Promise.all(open.map((s) => s.ended));
      for (const s of open) expect(parseEvents(s.text()).at(-1)?.event).toBe('end');
      // no waiting: a client that has seen the end may open its next stream at once
      const next = await running();
      const again = await openMany(3, next.execId, alice);
      expect(again.map((s) => s.response.status)).toEqual([200, 200, 200]);
      await expectRefused(await openStream(app, next.execId, alice), 'CLOUDO_STREAMS_PER_CALLER', 3);
      await closeAll(again);
    });

    it('gives the slots back when reading the log fails', async () => {
      const run = await running();
      reads.failing.add(run.execId);
      try {
        const open = await openMany(3, run.execId, alice);
        await Promise.all(open.map((s) => s.ended));
        for (const s of open) {
          expect(parseEvents(s.text()).at(-1)).toEqual({
            id: undefined,
            event: 'error',
            data: { error: 'blob service unavailable' },
          });
        }
      } finally {
        reads.failing.delete(run.execId);
      }
      const again = await openMany(3, run.execId, alice);
      expect(again.map((s) => s.response.status)).toEqual([200, 200, 200]);
      await closeAll(again);
    });

    it('refuses a bad offset before counting it, and lets an unknown run use no slot', async () => {
      const run = await running();
      const bad = await openStream(app, run.execId, alice, { 'last-event-id': '-1' });
      expect(bad.response.status).toBe(400);
      const unknown = await openStream(app, '01900000-0000-7000-8000-000000000000', alice);
      expect(unknown.response.status).toBe(404);
      expect(app.services.liveLogs.stats().streams).toBe(0);
      const open = await openMany(3, run.execId, alice);
      expect(open.map((s) => s.response.status)).toEqual([200, 200, 200]);
      await closeAll(open);
    });
  });

  describe('one poller per run', () => {
    it('reads each new line of a run once from storage, whatever the number of streams following it', async () => {
      const run = await running();
      await run.append('line 0\n');
      const open = await openMany(3, run.execId, alice);
      await Promise.all(open.map((s) => s.until('line 0')));
      const before = reads.readsWithBytes(run.execId);
      for (let line = 1; line <= 5; line++) {
        await run.append(`line ${line}\n`);
        await Promise.all(open.map((s) => s.until(`line ${line}`)));
      }
      expect(reads.readsWithBytes(run.execId) - before).toBe(5);
      await run.finish();
      await Promise.all(open.map((s) => s.ended));
      const log = [0, 1, 2, 3, 4, 5].map((n) => `line ${n}\n`).join('');
      for (const s of open) expect(s.logText()).toBe(log);
    });

    it('sends each stream exactly its bytes: a late one catches up from its own offset or Last-Event-ID', async () => {
      const run = await running();
      await run.append('one\n');
      const first = await openStream(app, run.execId, alice);
      await first.until('one');
      await run.append('two\n');
      await first.until('two');
      const resumed = await openStream(app, run.execId, alice, { 'last-event-id': '4' });
      const fromStart = await openStream(app, run.execId, alice);
      const atEnd = await openStream(app, run.execId, bob, { 'last-event-id': '8' });
      await Promise.all([resumed.until('two'), fromStart.until('two')]);
      await run.append('three\n');
      await Promise.all([first, resumed, fromStart, atEnd].map((s) => s.until('three')));
      await run.finish();
      await Promise.all([first, resumed, fromStart, atEnd].map((s) => s.ended));
      expect(first.logText()).toBe('one\ntwo\nthree\n');
      expect(resumed.logText()).toBe('two\nthree\n');
      expect(fromStart.logText()).toBe('one\ntwo\nthree\n');
      expect(atEnd.logText()).toBe('three\n');
      for (const s of [first, resumed, fromStart, atEnd]) {
        const events = parseEvents(s.text());
        expect(events.filter((e) => e.event === 'log').at(-1)?.id).toBe('14');
        expect(events.at(-1)).toEqual({ id: undefined, event: 'end', data: { status: 'succeeded', exit_code: 0 } });
      }
    });

    it('keeps serving the streams left when one goes, and stops reading the run when the last goes', async () => {
      const run = await running();
      await run.append('x0\n');
      const [gone, stays, last] = await openMany(3, run.execId, alice);
      if (!gone || !stays || !last) throw new Error('three streams');
      await Promise.all([gone, stays, last].map((s) => s.until('x0')));
      gone.close();
      await waitFor('one stream released', () => (app.services.liveLogs.stats().streams === 2 ? true : undefined));
      await run.append('x1\n');
      await Promise.all([stays.until('x1'), last.until('x1')]);
      await closeAll([stays, last]);
      await waitFor('no poller left', () => (app.services.liveLogs.stats().pollers === 0 ? true : undefined));
      const readsWhenGone = reads.reads(run.execId);
      // another run's poller is the clock: five of its ticks, and not one read of the run nobody follows
      const other = await running();
      const clock = await openStream(app, other.execId, alice);
      const start = reads.reads(other.execId);
      await waitFor('five ticks of another poller', () => (reads.reads(other.execId) - start >= 10 ? true : undefined));
      expect(reads.reads(run.execId)).toBe(readsWhenGone);
      await closeAll([clock]);
    });
  });
});

describe('live-log streams that reach their longest duration', () => {
  let t: TestStorage;
  let app: SecuredApp;
  let alice: string;

  beforeAll(async () => {
    t = await createTestStorage();
    app = await startSecuredApp(t, {}, {}, undefined, {
      liveLogStreams: CAPS,
      liveLogTiming: { pollMs: 20, maxDurationMs: 300 },
    });
    alice = await bearerFor(t, 'viewer', 'alice');
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  it('end by themselves, without an end event, and give their slots back', async () => {
    const plan = planRun(testSchema(), HTTP_TRIGGER);
    await t.storage.executions.create(plan.execution);
    const row = await t.storage.executions.get(plan.execution.execId);
    if (!row) throw new Error('missing');
    await t.storage.executions.transition(row, { ...plan.execution, status: 'running' });
    const { execId } = plan.execution;
    for (let round = 0; round < 2; round++) {
      const open: OpenStream[] = [];
      for (let i = 0; i < 3; i++) open.push(await openStream(app, execId, alice));
      expect(open.map((s) => s.response.status)).toEqual([200, 200, 200]);
      await Promise.all(open.map((s) => s.ended));
      // the browser reconnects from its last id; the run is still going
      for (const s of open) expect(parseEvents(s.text()).some((e) => e.event === 'end')).toBe(false);
    }
    expect(app.services.liveLogs.stats()).toEqual({ streams: 0, pollers: 0 });
  });
});
