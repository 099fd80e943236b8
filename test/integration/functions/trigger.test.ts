import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSchemasFile } from '../../../src/core/runbook-schema.js';
import { triggerFunction } from '../../../src/functions/trigger.js';
import { decodeMessage } from '../../../src/storage/job-queue.js';
import { callHttp, testServices } from '../../support/functions.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

const SCHEMAS = JSON.stringify([
  {
    partition_key: 'generic',
    entity: [{ id: 'hello', name: 'hello', description: 'd', runbook: 'hello.sh', worker: 'Runbook', oncall: 'false' }],
  },
]);

describe('Trigger function', () => {
  let t: TestStorage;
  let trigger: ReturnType<typeof triggerFunction>;
  const url = (q: string, team = '') => `http://localhost/api/Trigger${team ? `/${team}` : ''}${q}`;

  beforeAll(async () => {
    t = await createTestStorage();
    const parsed = parseSchemasFile(SCHEMAS);
    if (!parsed.ok) throw new Error('bad fixture');
    await t.storage.schemas.importSchemas(parsed.schemas);
    trigger = triggerFunction(testServices(t, { maxBodyBytes: 4096 }));
  });
  afterAll(() => t.cleanup());

  const queued = async () => {
    const messages = await t.storage.jobs.forWorker('Runbook').receive(32, 1000);
    return messages.map((m) => m.body);
  };

  it('records the run as accepted, queues one JobMessage and answers 202 with links', async () => {
    const res = await callHttp(trigger, {
      url: url('?id=hello', 'payments'),
      query: { id: 'hello' },
      params: { team: 'payments' },
    });
    expect(res.status).toBe(202);
    const body = res.json as {
      exec_id: string;
      status: string;
      schema: { id: string; runbook: string };
      links: Record<string, string>;
    };
    expect(body.status).toBe('accepted');
    expect(body.schema).toMatchObject({ id: 'hello', runbook: 'hello.sh', oncall: false });
    expect(body.links.execution).toBe(`/api/executions/${body.exec_id}`);
    expect(body.links.log).toBe(`/api/logs/${body.exec_id}`);

    const row = await t.storage.executions.get(body.exec_id);
    expect(row?.execution).toMatchObject({
      status: 'accepted',
      schemaId: 'hello',
      trigger: { source: 'http', team: 'payments' },
    });
    const messages = await queued();
    expect(messages).toEqual([
      { v: 1, execId: body.exec_id, schemaId: 'hello', worker: 'Runbook', enqueuedAt: row?.execution.requestedAt },
    ]);
  });

  it('answers 404 naming the id for an unknown schema, and records nothing', async () => {
    const res = await callHttp(trigger, { url: url('?id=nope'), query: { id: 'nope' } });
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: 'no runbook schema with id "nope"' });
    expect((await t.storage.executions.list({ limit: 50, schemaId: 'nope' })).executions).toEqual([]);
    expect(await queued()).toEqual([]);
  });

  it('answers 400 without an id and without a body', async () => {
    const res = await callHttp(trigger, { url: url('') });
    expect(res.status).toBe(400);
    expect((res.json as { error: string }).error).toMatch(/missing schema id/);
    expect(await queued()).toEqual([]);
  });

  it('answers 400 naming the parameter for an id that cannot be a schema id', async () => {
    const res = await callHttp(trigger, { url: url("?id=x' or 1 eq 1"), query: { id: "x' or 1 eq 1" } });
    expect(res.status).toBe(400);
    expect((res.json as { error: string }).error).toMatch(/^id: must be/);
    expect(await queued()).toEqual([]);
  });

  it('answers 413 to a body over the limit, by declared length or by actual size', async () => {
    const big = 'x'.repeat(5000);
    const declared = await callHttp(trigger, {
      method: 'POST',
      url: url('?id=hello'),
      query: { id: 'hello' },
      headers: { 'content-length': '5000' },
      body: { string: big },
    });
    expect(declared.status).toBe(413);
    expect((declared.json as { error: string }).error).toMatch(/larger than 4096 bytes/);
    const undeclared = await callHttp(trigger, {
      method: 'POST',
      url: url('?id=hello'),
      query: { id: 'hello' },
      body: { string: big },
    });
    expect(undeclared.status).toBe(413);
    expect(await queued()).toEqual([]);
  });

  it('queues a JobMessage that decodes as base64 JSON (what a Functions queue trigger expects)', async () => {
    const res = await callHttp(trigger, { url: url('?id=hello'), query: { id: 'hello' } });
    const [message] = await t.storage.jobs.forWorker('Runbook').receive(1, 1000);
    expect(message && decodeMessage(message.text)).toMatchObject({ execId: (res.json as { exec_id: string }).exec_id });
  });
});
