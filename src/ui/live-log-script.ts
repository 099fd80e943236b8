/** Where the page loads the script from (a same-origin file: the CSP allows no inline script). */
export const LIVE_LOG_SCRIPT_PATH = '/api/assets/live-log.js';

/**
 * Follows a live run: reads the log stream (Server-Sent Events) from the byte the page was rendered up
 * to, appends text with textContent (never as markup), and shows the final status when the run ends.
 */
export const LIVE_LOG_SCRIPT = `'use strict';
(() => {
  const pre = document.getElementById('log');
  if (!pre || !window.EventSource) return;
  const empty = document.getElementById('log-empty');
  const status = document.getElementById('status');
  const source = new EventSource(pre.dataset.stream);
  source.addEventListener('log', (event) => {
    const atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
    pre.hidden = false;
    if (empty) empty.hidden = true;
    pre.textContent += JSON.parse(event.data);
    if (atBottom) window.scrollTo(0, document.body.scrollHeight);
  });
  source.addEventListener('end', (event) => {
    source.close();
    const end = JSON.parse(event.data);
    if (status) {
      const badge = document.createElement('span');
      badge.className = 'badge badge-' + end.status;
      badge.textContent = String(end.status).replace('_', ' ');
      status.replaceChildren(badge);
    }
    // the details (finish time, exit code) come with a reload, once
    setTimeout(() => window.location.reload(), 1500);
  });
})();
`;
