import { SettingsError } from '../../src/core/setting-values.js';

/** The problems a settings loader reports, or none when it loads. */
export function settingsProblems(load: () => unknown): string[] {
  try {
    load();
    return [];
  } catch (err) {
    if (err instanceof SettingsError) return [...err.problems];
    throw err;
  }
}
