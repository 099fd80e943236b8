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

/** Parses a JSON body; an empty body is `undefined`, malformed JSON is a 400. */
export async function readJsonBody(request: HttpRequest, maxBytes: number): Promise<unknown> {
  const text = await readBodyText(request, maxBytes);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `request body is not valid JSON: ${(err as Error).message}`);
  }
}
