import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A token the run page puts in its decision form, bound to the person and the run: a second guard,
 * besides the Origin check, that a decision POST comes from a page ClouDO served to that person.
 */
export function formToken(key: string, callerId: string, execId: string): string {
  return createHmac('sha256', key).update(`approval-form\n${callerId}\n${execId}`).digest('base64url');
}

export function isFormToken(key: string, callerId: string, execId: string, presented: string): boolean {
  const expected = Buffer.from(formToken(key, callerId, execId));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
