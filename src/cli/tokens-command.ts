import { Role } from '../core/access.js';
import { issueApiToken, TokenId } from '../core/api-token.js';
import type { StorageSettings } from '../core/storage-settings.js';
import { auditCli } from './cli-actor.js';
import type { CommandOutput } from './schemas-command.js';

type SettingsLoader = () => Promise<StorageSettings>;

async function storageFrom(load: SettingsLoader) {
  const { createStorage } = await import('../storage/index.js');
  const storage = createStorage(await load());
  await storage.tokens.ensureTable();
  await storage.audit.ensureTable();
  return storage;
}

export interface CreateTokenOptions {
  readonly role: string | undefined;
  readonly owner: string | undefined;
  readonly expiresDays: string | undefined;
  readonly description: string | undefined;
}

/** `cloudo tokens create --role R --owner O [--expires-days N] [--description D]`: prints the token once. */
export async function createToken(load: SettingsLoader, options: CreateTokenOptions): Promise<CommandOutput> {
  const role = Role.safeParse(options.role);
  if (!role.success) return { exitCode: 2, lines: ['--role must be viewer, operator or admin'] };
  const owner = options.owner?.trim();
  if (!owner || owner.length > 128)
    return { exitCode: 2, lines: ['--owner is required (who the token is for, max 128)'] };
  let expiresAt: Date | null = null;
  if (options.expiresDays !== undefined) {
    const days = Number(options.expiresDays);
    if (!Number.isInteger(days) || days < 1 || days > 3650) {
      return { exitCode: 2, lines: ['--expires-days must be a whole number of days from 1 to 3650'] };
    }
    expiresAt = new Date(Date.now() + days * 86_400_000);
  }
  const description = options.description ?? '';
  if (description.length > 500) return { exitCode: 2, lines: ['--description is longer than 500 characters'] };
  const storage = await storageFrom(load);
  const { token, record } = issueApiToken({ role: role.data, owner, description, expiresAt });
  await storage.tokens.create(record);
  await auditCli(storage, 'token.issue', record.id, { role: record.role, owner });
  return {
    exitCode: 0,
    lines: [
      `token ${record.id} for ${owner}, role ${record.role}, ${expiresAt ? `expires ${record.expiresAt}` : 'no expiry'}`,
      '',
      `  ${token}`,
      '',
      'It is shown only now: ClouDO keeps only its hash. Send it as "Authorization: Bearer <token>".',
    ],
  };
}

/** `cloudo tokens list`: every token, never a secret. */
export async function listTokens(load: SettingsLoader): Promise<CommandOutput> {
  const storage = await storageFrom(load);
  const now = Date.now();
  const rows = (await storage.tokens.list()).map((t) => {
    const state = t.revokedAt
      ? `revoked ${t.revokedAt}`
      : t.expiresAt && Date.parse(t.expiresAt) <= now
        ? `expired ${t.expiresAt}`
        : 'active';
    return `${t.id}  ${t.role.padEnd(8)}  ${t.owner}  created ${t.createdAt}  expires ${t.expiresAt ?? 'never'}  last used ${t.lastUsedAt ?? 'never'}  ${state}`;
  });
  return { exitCode: 0, lines: rows.length > 0 ? rows : ['no tokens'] };
}

/** `cloudo tokens revoke ID`: takes effect on the next request that presents it. */
export async function revokeToken(load: SettingsLoader, id: string): Promise<CommandOutput> {
  const parsed = TokenId.safeParse(id);
  if (!parsed.success)
    return { exitCode: 2, lines: [`"${id}" is not a token id (12 hex digits, see cloudo tokens list)`] };
  const storage = await storageFrom(load);
  const revoked = await storage.tokens.revoke(parsed.data);
  if (!revoked) return { exitCode: 1, lines: [`no token ${parsed.data}`] };
  await auditCli(storage, 'token.revoke', revoked.id, { owner: revoked.owner });
  return { exitCode: 0, lines: [`token ${revoked.id} (${revoked.owner}) revoked at ${revoked.revokedAt}`] };
}
