import type { HtmlFragment } from './html.js';
import { html } from './html.js';
import { timeCell } from './layout.js';

/** Where pages with times in the reader's zone load the script from (same-origin: the CSP allows no inline script). */
export const LOCAL_TIMES_SCRIPT_PATH = '/api/assets/local-times.js';

/**
 * A time the reader's browser shows in the reader's own zone: the server does not know that zone, so it
 * sends UTC text (what a browser without script keeps) and LOCAL_TIMES_SCRIPT rewrites it.
 */
export function localTime(iso: string | null): HtmlFragment {
  return timeCell(iso, true);
}

/** Names the reader's zone once the script ran; "UTC" without script, as the times then are. */
export const viewerZone = html`<span data-viewer-zone>UTC</span>`;

/**
 * Rewrites every `<time data-local-time>` into the reader's zone, `2026-12-07 17:00:00 GMT+9`, keeping the
 * UTC text as its tooltip, and names the zone where a page asks (`data-viewer-zone`). The format is built
 * from parts rather than left to the locale so it reads like the UTC times of the other pages.
 */
export const LOCAL_TIMES_SCRIPT = `'use strict';
(() => {
  if (!window.Intl || !Intl.DateTimeFormat) return;
  const format = new Intl.DateTimeFormat('en-US', {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    hourCycle: 'h23', timeZoneName: 'short',
  });
  for (const el of document.querySelectorAll('time[data-local-time]')) {
    const when = new Date(el.getAttribute('datetime') || '');
    if (Number.isNaN(when.getTime())) continue;
    const p = {};
    for (const part of format.formatToParts(when)) p[part.type] = part.value;
    el.title = el.textContent;
    el.textContent = p.year + '-' + p.month + '-' + p.day + ' ' + p.hour + ':' + p.minute + ':' + p.second + ' ' + p.timeZoneName;
  }
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone) for (const el of document.querySelectorAll('[data-viewer-zone]')) el.textContent = zone;
})();
`;
