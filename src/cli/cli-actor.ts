import os from 'node:os';
import type { AuditAction } from '../core/audit.js';
import type { Storage } from '../storage/index.js';

/** Who runs the CLI, for the audit log: it holds storage credentials, so it speaks for itself. */
export function cliActor(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (some containers)
  }
  return `${user}@${os.hostname()}`;
}

export async function auditCli(
  storage: Storage,
  action: AuditAction,
  target: string,
  details: Record<string, string>,
): Promise<void> {
  const actor = cliActor();
  await storage.audit.record({
    at: new Date().toISOString(),
    action,
    actorKind: 'cli',
    actorId: actor,
    from: `cli ${os.hostname()}`,
    target,
    details,
  });
}
