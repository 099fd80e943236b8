/**
 * A runbook name is a path relative to the runbook root. It is checked here, purely, at import time
 * and again by the worker before it spawns anything (the worker also resolves symlinks).
 * Returns the reason the name is refused, or null when it is acceptable.
 */
export function runbookNameProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > 512) return 'is longer than 512 characters';
  if (name.includes('\0')) return 'contains a NUL byte';
  if (name.includes('\\')) return 'contains a backslash (use / between folders)';
  if (name.startsWith('/')) return 'is an absolute path (it must be relative to the runbook folder)';
  if (/^[A-Za-z]:/.test(name)) return 'is an absolute path (it must be relative to the runbook folder)';
  const segments = name.split('/');
  if (segments.includes('..')) return 'contains a ".." segment (it must stay inside the runbook folder)';
  if (segments.some((s) => s === '' || s === '.')) return 'contains an empty or "." segment';
  if (segments.some((s) => s.startsWith('-'))) return 'has a segment starting with "-"';
  return null;
}
