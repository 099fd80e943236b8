/** Shared spellings: conditions, severities and label values as every format writes them. */

/** Activated/firing/active → Fired; Deactivated/resolved → Resolved; anything else fires. */
export function toMonitorCondition(value: unknown): 'Fired' | 'Resolved' {
  const v = typeof value === 'string' ? value.trim().toLowerCase() : '';
  return v === 'resolved' || v === 'deactivated' || v === 'inactive' ? 'Resolved' : 'Fired';
}

/** `3`, `"3"`, `"Sev3"`, `"sev3"` → `"Sev3"` (0-4); other words are kept as sent; empty → null. */
export function toSeverity(value: unknown): string | null {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 4) return `Sev${value}`;
  if (typeof value !== 'string') return null;
  const v = value.trim();
  if (v === '') return null;
  const m = /^(?:sev)?\s*([0-4])$/i.exec(v);
  return m ? `Sev${m[1]}` : v;
}

/** A string, or null for anything else (including ''). */
export function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Flattens dimensions or labels to a string map: `[{name,value}]`, `{k:v}`, numbers and booleans as text. */
export function toLabels(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (k: unknown, v: unknown) => {
    if (typeof k !== 'string' || k === '' || k === '__proto__') return;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  };
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item && typeof item === 'object') put((item as { name?: unknown }).name, (item as { value?: unknown }).value);
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) put(k, v);
  }
  return out;
}

/** Property access on unknown JSON without casts everywhere. */
export function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!current || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = Object.hasOwn(current, key) ? (current as Record<string, unknown>)[key] : undefined;
  }
  return current;
}
