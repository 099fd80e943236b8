import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { issueApiToken, parseApiToken } from '../core/api-token.js';
import { functionKeyNamesSetting, keyFingerprint, MASTER_KEY_NAME } from '../core/function-key.js';

/**
 * Credentials of the secured local stack (`npm start -- --secure`), made at first start and kept in
 * `<state dir>/keys.json` (mode 0600), as Core Tools keeps its keys in files: a Functions key and master
 * key the local host enforces, and an admin API token for people and the CLI.
 */
const LocalKeys = z.object({
  functionKey: z.string().min(32),
  masterKey: z.string().min(32),
  adminToken: z.string().refine((t) => parseApiToken(t) !== null, 'not a ClouDO API token'),
});
export type LocalKeys = z.infer<typeof LocalKeys>;

export async function loadOrCreateLocalKeys(stateDir: string): Promise<{ keys: LocalKeys; created: boolean }> {
  const file = path.join(stateDir, 'keys.json');
  try {
    return { keys: LocalKeys.parse(JSON.parse(await readFile(file, 'utf8'))), created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`${file} is unreadable (${(err as Error).message}); delete it to make new keys`);
    }
  }
  const keys: LocalKeys = {
    functionKey: randomBytes(32).toString('base64url'),
    masterKey: randomBytes(32).toString('base64url'),
    adminToken: issueApiToken({ role: 'admin', owner: 'local-admin', expiresAt: null }).token,
  };
  await mkdir(stateDir, { recursive: true });
  await writeFile(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return { keys, created: true };
}

/**
 * `CLOUDO_FUNCTION_KEY_NAMES` for these keys, named as the Functions host names its own (`default`, `master`),
 * so the local audit log shows which key was used just as a named deployment does.
 */
export function localKeyNames(keys: LocalKeys): string {
  return functionKeyNamesSetting([
    { name: 'default', fingerprint: keyFingerprint(keys.functionKey) },
    { name: MASTER_KEY_NAME, fingerprint: keyFingerprint(keys.masterKey) },
  ]);
}
