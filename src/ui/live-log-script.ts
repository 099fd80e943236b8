import { applySgr, styleClasses, TERMINAL_PATTERNS } from '../core/terminal-text.js';

/** Where the page loads the script from (a same-origin file: the CSP allows no inline script). */
export const LIVE_LOG_SCRIPT_PATH = '/api/assets/live-log.js';

/**
 * Follows a live run: reads the log stream (Server-Sent Events) from the byte the page was rendered up
 * to, appends text with textContent (never as markup), and shows the final status when the run ends.
 * Terminal escapes are dropped and colours become classes by the rules of core/terminal-text.ts (the
 * same patterns, written into the script), so a live log reads as the reloaded page does.
 */
export const LIVE_LOG_SCRIPT = `'use strict';
(() => {
  const pre = document.getElementById('log');
  if (!pre || !window.EventSource) return;
  const empty = document.getElementById('log-empty');
  const status = document.getElementById('status');
  const ESCAPE = new RegExp(${JSON.stringify(TERMINAL_PATTERNS.escape)}, 'g');
  const SGR = new RegExp(${JSON.stringify(TERMINAL_PATTERNS.sgr)});
  const CONTROL = new RegExp(${JSON.stringify(TERMINAL_PATTERNS.control)}, 'g');
  const SGR_ANYWHERE = new RegExp(${JSON.stringify(TERMINAL_PATTERNS.sgrAnywhere)}, 'g');
  const style = { bold: false, fg: null, bg: null };
  // core/terminal-text.ts's own function, as compiled: one set of colour rules for page and script
  const applySgr = ${applySgr.toString()};
  const styleClasses = ${styleClasses.toString()};
  const appendRun = (text) => {
    if (text === '') return;
    const classes = styleClasses(style);
    if (classes.length === 0) return pre.append(text);
    const span = document.createElement('span');
    span.className = classes.join(' ');
    span.textContent = text;
    pre.append(span);
  };
  const append = (raw) => {
    const clean = raw.replace(ESCAPE, (s) => (SGR.test(s) ? s : '')).replace(CONTROL, '');
    let last = 0;
    for (const match of clean.matchAll(SGR_ANYWHERE)) {
      appendRun(clean.slice(last, match.index));
      last = match.index + match[0].length;
      applySgr(style, match[1]);
    }
    appendRun(clean.slice(last));
  };
  const source = new EventSource(pre.dataset.stream);
  source.addEventListener('log', (event) => {
    const atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
    pre.hidden = false;
    if (empty) empty.hidden = true;
    append(JSON.parse(event.data));
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
