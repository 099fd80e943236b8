/** One Server-Sent Event: its id (a log's byte offset), name and JSON data. */
export interface ServerEvent {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: unknown;
}

/**
 * The events of an SSE body as they arrive. Blocks without an `event:` line (`retry:`) are skipped, and a
 * block cut by the network stays buffered until its blank line comes.
 */
export async function* readServerEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerEvent> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    let end = buffered.indexOf('\n\n');
    while (end >= 0) {
      const event = parseBlock(buffered.slice(0, end));
      buffered = buffered.slice(end + 2);
      if (event) yield event;
      end = buffered.indexOf('\n\n');
    }
  }
}

function parseBlock(block: string): ServerEvent | null {
  const fields = new Map<string, string>();
  for (const line of block.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).replace(/^ /, ''));
  }
  const event = fields.get('event');
  if (event === undefined) return null;
  let data: unknown = null;
  try {
    data = JSON.parse(fields.get('data') ?? 'null');
  } catch {
    data = fields.get('data') ?? null;
  }
  return { id: fields.get('id'), event, data };
}
