import { z } from 'zod';
import type { AksCredentialsMode } from './aks-cluster.js';

/** How a schemas file writes some values: the original project's spellings, accepted as it wrote them. */

/** The original project wrote booleans as "true"/"false" strings; both spellings are accepted. */
export const Booleanish = z
  .union([z.boolean(), z.string().regex(/^(true|false|)$/i, 'must be true or false')])
  // the original's files hold "" for an unset flag: false
  .transform((v) => (typeof v === 'boolean' ? v : v.toLowerCase() === 'true'));

/**
 * A schema's `aks_credentials`: true/false as Booleanish reads them, or `auto`. Unset (and "", as the
 * original's files write unset values) is `auto`: the original fetched AKS credentials for every AKS alert.
 */
export const AksCredentials = z
  .union([z.boolean(), z.string().regex(/^(true|false|auto|)$/i, 'must be true, false or auto')])
  .transform((v): AksCredentialsMode => {
    if (typeof v === 'boolean') return v;
    const word = v.toLowerCase();
    return word === 'true' ? true : word === 'false' ? false : 'auto';
  });

/** Labels for people (the original's console and module add them): a list, or one comma-separated text. */
export const Tags = z
  .union([z.array(z.string()), z.string().transform((v) => v.split(','))])
  .transform((tags) => tags.map((t) => t.trim()).filter(Boolean))
  .pipe(z.array(z.string().max(64)).max(50));
