import { createHmac } from 'node:crypto';
import { sameSecret } from './same-secret.js';

/** What a console form does; a token for one purpose is refused for another. */
export type FormPurpose =
  | 'approval-form'
  | 'run-form'
  | 'cancel-form'
  | 'rerun-form'
  // an admin's switch of a schedule: a Disable token cannot turn a schedule back on
  | 'schedule-enable-form'
  | 'schedule-disable-form';

/**
 * A token a console page puts in its form, bound to the person, the thing the form acts on (a run, a
 * schema) and what it does: a second guard, besides the Origin check, that a POST comes from a page
 * ClouDO served to that person.
 */
export function formToken(
  key: string,
  callerId: string,
  target: string,
  purpose: FormPurpose = 'approval-form',
): string {
  return createHmac('sha256', key).update(`${purpose}\n${callerId}\n${target}`).digest('base64url');
}

export function isFormToken(
  key: string,
  callerId: string,
  target: string,
  presented: string,
  purpose: FormPurpose = 'approval-form',
): boolean {
  return sameSecret(formToken(key, callerId, target, purpose), presented);
}
