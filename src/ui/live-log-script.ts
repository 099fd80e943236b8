import { LOG_WINDOW_BYTES, startAtLine } from '../core/log-window.js';
import { applySgr, styleClasses, TERMINAL_PATTERNS } from '../core/terminal-text.js';
import { formatBytes } from './layout.js';

/** Where the page loads the script from (a same-origin file: the CSP allows no inline script). */
export const LIVE_LOG_SCRIPT_PATH = '/api/assets/live-log.js';

/**
 * The run page's log, in the browser. It follows a live run: reads the log stream (Server-Sent Events)
 * from the byte the page was rendered up to, and shows the final status when the run ends; Pause holds
 * new output back so the text does not move under a reader, Follow shows it and sticks to the end. It
 * loads earlier parts of a large log in place, one 256 KiB range at a time (raw bytes, cut at a line start
 * as the server cuts its window). Text goes in with textContent (never as markup); terminal escapes are
 * dropped and colours become classes by the rules of core/terminal-text.ts (the same patterns and
 * functions, written into the script), so the browser shows a log as the server renders it.
 */
export const LIVE_LOG_SCRIPT = `'use strict';
(() => {
  const pre = document.getElementById('log');
  if (!pre) return;
  const empty = document.getElementById('log-empty');
  const status = document.getElementById('status');
  const ESCAPE = new RegExp(${JSON.stringify(TERMINAL_PATTERNS.escape)}, 'g');
  const SGR = new RegExp(${JSON.stringify(TERMINAL_PATTERNS.sgr)});
  const CONTROL = new RegExp(${JSON.stringify(TERMINAL_PATTERNS.control)}, 'g');
  const SGR_ANYWHERE = new RegExp(${JSON.stringify(TERMINAL_PATTERNS.sgrAnywhere)}, 'g');
  const WINDOW_BYTES = ${LOG_WINDOW_BYTES};
  // the server's own functions, as compiled: one set of rules for page and script
  const applySgr = ${applySgr.toString()};
  const styleClasses = ${styleClasses.toString()};
  const startAtLine = ${startAtLine.toString()};
  const formatBytes = ${formatBytes.toString()};
  const plain = () => ({ bold: false, fg: null, bg: null });

  /** Appends text to \`target\` as text runs and classed spans, carrying the colours in \`style\`. */
  const render = (raw, style, target) => {
    const appendRun = (text) => {
      if (text === '') return;
      const classes = styleClasses(style);
      if (classes.length === 0) return target.append(text);
      const span = document.createElement('span');
      span.className = classes.join(' ');
      span.textContent = text;
      target.append(span);
    };
    const clean = raw.replace(ESCAPE, (s) => (SGR.test(s) ? s : '')).replace(CONTROL, '');
    let last = 0;
    for (const match of clean.matchAll(SGR_ANYWHERE)) {
      appendRun(clean.slice(last, match.index));
      last = match.index + match[0].length;
      applySgr(style, match[1]);
    }
    appendRun(clean.slice(last));
  };

  const earlier = document.getElementById('log-earlier');
  const earlierNote = document.getElementById('log-earlier-note');
  if (earlier && pre.dataset.log && window.fetch) {
    earlier.addEventListener('click', async (event) => {
      event.preventDefault();
      if (earlier.dataset.busy) return;
      earlier.dataset.busy = '1';
      const end = Number(pre.dataset.start);
      const from = Math.max(0, end - WINDOW_BYTES);
      try {
        const url = pre.dataset.log + '?raw=1&offset=' + from + '&length=' + (end - from);
        const res = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
        if (!res.ok) throw new Error('the server answered ' + res.status);
        const part = startAtLine(new Uint8Array(await res.arrayBuffer()), from);
        // an earlier part starts with no colour: what was set before it is not known
        const fragment = document.createDocumentFragment();
        render(new TextDecoder().decode(part.data), plain(), fragment);
        // keep the text the reader is looking at where it is on screen
        const height = document.documentElement.scrollHeight;
        pre.prepend(fragment);
        window.scrollBy(0, document.documentElement.scrollHeight - height);
        pre.dataset.start = String(part.start);
        if (part.start === 0) {
          earlier.hidden = true;
          if (earlierNote) earlierNote.textContent = 'This is the whole log.';
        } else if (earlierNote) {
          earlierNote.textContent = formatBytes(part.start) + ' before this';
        }
      } catch (err) {
        if (earlierNote) earlierNote.textContent = 'Could not load earlier output (' + err.message + '): try again.';
      }
      delete earlier.dataset.busy;
    });
  }

  if (!pre.dataset.stream || !window.EventSource) return;
  const style = plain();
  const follow = document.getElementById('log-follow');
  const heldNote = document.getElementById('log-held');
  let following = true;
  let ended = false;
  const held = [];
  const show = (raw) => {
    pre.hidden = false;
    if (empty) empty.hidden = true;
    render(raw, style, pre);
  };
  const toEnd = () => window.scrollTo(0, document.documentElement.scrollHeight);
  const reloadOnce = () => setTimeout(() => window.location.reload(), 1500);
  if (follow) {
    follow.hidden = false;
    follow.addEventListener('click', () => {
      following = !following;
      follow.textContent = following ? 'Pause' : 'Follow';
      follow.setAttribute('aria-pressed', String(following));
      if (!following) return;
      for (const raw of held.splice(0)) show(raw);
      if (heldNote) heldNote.textContent = '';
      toEnd();
      if (ended) reloadOnce();
    });
  }
  const source = new EventSource(pre.dataset.stream);
  source.addEventListener('log', (event) => {
    const raw = JSON.parse(event.data);
    if (!following) {
      held.push(raw);
      const lines = held.join('').split('\\n').length - 1;
      if (heldNote) heldNote.textContent = 'Paused: ' + lines + ' new line' + (lines === 1 ? '' : 's') + ' held back';
      return;
    }
    show(raw);
    toEnd();
  });
  source.addEventListener('end', (event) => {
    source.close();
    ended = true;
    const end = JSON.parse(event.data);
    if (status) {
      const badge = document.createElement('span');
      badge.className = 'badge badge-' + end.status;
      badge.textContent = String(end.status).replace('_', ' ');
      status.replaceChildren(badge);
    }
    // the details (finish time, exit code, buttons) come with a reload, once; not under a paused reader
    if (following) reloadOnce();
  });
})();
`;
