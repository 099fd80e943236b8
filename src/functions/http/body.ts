import type { HttpRequest } from '@azure/functions';
import { HttpError } from './errors.js';

/**
 * Reads a request body as text, refusing more than `maxBytes` with 413 before buffering it all: the
 * declared length is checked first, then the stream is counted as it arrives.
 */
export async function readBodyText(request: HttpRequest, maxBytes: number): Promise<string> {
  const tooLarge = () => new HttpError(413, `request body is larger than ${maxBytes} bytes`);
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  if (!request.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Deepest nesting a JSON body may have. Alert payloads nest about ten levels; a body nested thousands deep
 * parses, then overflows the stack of whatever walks it later (JSON.stringify when its payload is stored).
 */
export const MAX_JSON_DEPTH = 64;

/** Parses a JSON body; an empty body is `undefined`, malformed or too deeply nested JSON is a 400. */
export async function readJsonBody(request: HttpRequest, maxBytes: number): Promise<unknown> {
  const text = await readBodyText(request, maxBytes);
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `request body is not valid JSON: ${(err as Error).message}`);
  }
  if (depthExceeds(value, MAX_JSON_DEPTH)) {
    throw new HttpError(400, `request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return value;
}

/** Whether `value` nests deeper than `max`; walks with its own stack, so depth cannot overflow it. */
function depthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [item, depth] = next;
    if (typeof item !== 'object' || item === null) continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, depth + 1]);
  }
  return false;
}
