/** Seconds between refreshes of the list: new runs and status changes show up without a click. */
export const EXECUTIONS_REFRESH_SECONDS = 5;

/** Where the executions page loads its refresh script from (same-origin: the CSP allows no inline script). */
export const RUNS_REFRESH_SCRIPT_PATH = '/api/assets/runs-refresh.js';

/**
 * Keeps the executions page current without reloading it: every few seconds, while the tab is visible,
 * it fetches the page's own URL (same filters, same page) and swaps in the fresh rows, approvals, paging
 * and workers. A meta refresh would do the same but lose the scroll position, the focus and whatever is
 * half-typed in the filter form. The fetched page is parsed inert (DOMParser runs no script) and is our
 * own escaped markup. One timer, rescheduled after each fetch ends, so ticks never overlap; a hidden tab
 * costs the server nothing.
 */
export const RUNS_REFRESH_SCRIPT = `'use strict';
(() => {
  const table = document.getElementById('runs');
  if (!table || !window.fetch || !window.DOMParser) return;
  const PERIOD_MS = ${EXECUTIONS_REFRESH_SECONDS * 1000};
  const SLOTS = ['waiting-slot', 'search-note', 'pages', 'workers-slot'];
  let timer = null;
  let inFlight = false;
  let refreshes = 0;
  const swap = (fresh) => {
    const rows = table.querySelector('tbody');
    const freshRows = fresh.querySelector('#runs tbody');
    if (rows && freshRows) rows.replaceWith(document.adoptNode(freshRows));
    for (const id of SLOTS) {
      const current = document.getElementById(id);
      const next = fresh.getElementById(id);
      if (current && next) current.replaceWith(document.adoptNode(next));
    }
    table.dataset.refreshes = String(++refreshes);
  };
  const tick = async () => {
    timer = null;
    if (document.visibilityState !== 'visible') return;
    inFlight = true;
    try {
      const res = await fetch(window.location.href, { credentials: 'same-origin', cache: 'no-store' });
      const type = res.headers.get('content-type') || '';
      // an error page (a bad token after a restart, a 403) is left for the next reload to show
      if (res.ok && type.startsWith('text/html')) swap(new DOMParser().parseFromString(await res.text(), 'text/html'));
    } catch {
      // offline for a moment: try again next period
    }
    inFlight = false;
    schedule();
  };
  const schedule = () => {
    if (timer === null && !inFlight && document.visibilityState === 'visible') timer = setTimeout(tick, PERIOD_MS);
  };
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') return schedule();
    clearTimeout(timer);
    timer = null;
  });
  schedule();
})();
`;
