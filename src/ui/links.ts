/** The URL of one run's page. */
export function executionUrl(execId: string): string {
  return `/api/logs/${encodeURIComponent(execId)}`;
}
