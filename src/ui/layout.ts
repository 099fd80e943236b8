import type { ExecutionStatus } from '../core/execution.js';
import type { HtmlFragment } from './html.js';
import { html } from './html.js';

// Literal parts of an `html` template are not escaped, so the stylesheet needs no `raw()`.
const STYLE = html`<style>
  :root { color-scheme: light dark; --muted: #6b7280; --line: #d1d5db; }
  body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 0 1rem 2rem; }
  header { display: flex; gap: 1rem; align-items: baseline; border-bottom: 1px solid var(--line); margin-bottom: 1rem; }
  header { flex-wrap: wrap; }
  header a.brand { font-weight: 700; font-size: 1.2rem; text-decoration: none; color: inherit; }
  nav.sections { display: flex; gap: .25rem 1rem; flex-wrap: wrap; }
  nav.sections a { color: inherit; text-decoration: none; padding: .5rem 0; }
  nav.sections a[aria-current="page"] { font-weight: 700; border-bottom: 2px solid currentColor; }
  a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }
  @media (max-width: 640px) { table { display: block; overflow-x: auto; } }
  h1 { font-size: 1.3rem; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { font-weight: 600; color: var(--muted); }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
  dt { color: var(--muted); }
  dd { margin: 0; overflow-wrap: anywhere; }
  dd pre { margin: 0; }
  pre { background: #111827; color: #e5e7eb; padding: .75rem; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
  form.filters { display: flex; gap: .75rem; align-items: end; margin-bottom: 1rem; flex-wrap: wrap; }
  form.filters label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
  nav.pages, p.links { display: flex; gap: 1rem; }
  .muted { color: var(--muted); }
  ul.tags { display: inline-flex; flex-wrap: wrap; gap: .25rem; list-style: none; margin: 0; padding: 0; }
  ul.tags li { border: 1px solid var(--line); border-radius: 999px; padding: 0 .5rem; font-size: .8rem; }
  section.approval, section.waiting { border: 2px solid #ca8a04; border-radius: .5rem; padding: .25rem 1rem 1rem; margin-bottom: 1.5rem; }
  section.approval:not(.waiting) { border-color: var(--line); }
  .time-left { color: #a16207; }
  .decide-forms { display: flex; gap: 1.5rem; align-items: end; flex-wrap: wrap; }
  form.decide { display: flex; gap: .5rem; align-items: end; }
  form.decide label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
  form.decide textarea { min-width: 20rem; font: inherit; }
  button.approve, button.reject { font: inherit; font-weight: 600; padding: .4rem 1rem; border-radius: .375rem; border: 0; color: #fff; cursor: pointer; }
  button.approve { background: #16a34a; }
  button.reject { background: #9f1239; }
  ol.decisions { padding-left: 1.25rem; }
  .ansi-bold { font-weight: 700; }
  .ansi-fg-0 { color: #6b7280; } .ansi-fg-1 { color: #f87171; } .ansi-fg-2 { color: #4ade80; } .ansi-fg-3 { color: #facc15; }
  .ansi-fg-4 { color: #60a5fa; } .ansi-fg-5 { color: #e879f9; } .ansi-fg-6 { color: #22d3ee; } .ansi-fg-7 { color: #e5e7eb; }
  .ansi-fg-8 { color: #9ca3af; } .ansi-fg-9 { color: #fca5a5; } .ansi-fg-10 { color: #86efac; } .ansi-fg-11 { color: #fde047; }
  .ansi-fg-12 { color: #93c5fd; } .ansi-fg-13 { color: #f0abfc; } .ansi-fg-14 { color: #67e8f9; } .ansi-fg-15 { color: #fff; }
  .ansi-bg-0 { background: #000; } .ansi-bg-1 { background: #991b1b; } .ansi-bg-2 { background: #166534; } .ansi-bg-3 { background: #854d0e; }
  .ansi-bg-4 { background: #1e40af; } .ansi-bg-5 { background: #86198f; } .ansi-bg-6 { background: #155e75; } .ansi-bg-7 { background: #4b5563; }
  .ansi-bg-8, .ansi-bg-9, .ansi-bg-10, .ansi-bg-11, .ansi-bg-12, .ansi-bg-13, .ansi-bg-14, .ansi-bg-15 { background: #374151; }
  .badge { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .8rem; font-weight: 600; color: #fff; }
  .badge-pending_approval { background: #ca8a04; }
  .badge-accepted { background: #6b7280; }
  .badge-running { background: #2563eb; }
  .badge-succeeded { background: #16a34a; }
  .badge-failed { background: #dc2626; }
  .badge-timed_out { background: #ea580c; }
  .badge-cancelled { background: #4b5563; }
  .badge-error { background: #7e22ce; }
  .badge-abandoned { background: #b45309; }
  .badge-unmatched { background: #9ca3af; color: #111; }
  .badge-skipped { background: #d1d5db; color: #111; }
  .badge-rejected { background: #9f1239; }
  .badge-expired { background: #78716c; }
</style>`;

/** A page that reloads itself: after `seconds`, the browser opens `url`. */
export interface Refresh {
  readonly seconds: number;
  /** Same-origin path with its query string, so filters survive the reload. */
  readonly url: string;
}

export interface LayoutOptions {
  /** Page title, before " · ClouDO". */
  readonly title: string;
  readonly body: HtmlFragment;
  /** Omit for a page that does not change on its own. */
  readonly refresh?: Refresh | undefined;
  /**
   * Same-origin scripts (never inline: the CSP forbids inline script). With a script, the refresh only
   * applies to browsers without JavaScript.
   */
  readonly scripts?: readonly string[];
  /** The console section the page belongs to, marked in the navigation (`aria-current`). */
  readonly section?: ConsoleSection;
  /** The page's own rules (an `html\`<style>...</style>\`` fragment), after the shared stylesheet. */
  readonly styles?: HtmlFragment;
}

/** The console's sections, in the order of its navigation; each is a page under `/api`. */
export const CONSOLE_SECTIONS = [
  { id: 'runs', label: 'Runs', href: '/api/logs' },
  { id: 'runbooks', label: 'Runbooks', href: '/api/console/runbooks' },
  { id: 'dashboard', label: 'Dashboard', href: '/api/console/dashboard' },
  { id: 'schedules', label: 'Schedules', href: '/api/console/schedules' },
  { id: 'approvals', label: 'Approvals', href: '/api/console/approvals' },
  { id: 'workers', label: 'Workers', href: '/api/console/workers' },
  { id: 'audit', label: 'Audit', href: '/api/console/audit' },
  { id: 'settings', label: 'Settings', href: '/api/console/settings' },
] as const;
export type ConsoleSection = (typeof CONSOLE_SECTIONS)[number]['id'];

function navigation(current: ConsoleSection | undefined): HtmlFragment {
  const links = CONSOLE_SECTIONS.map((s) =>
    s.id === current
      ? html`<a href="${s.href}" aria-current="page">${s.label}</a>`
      : html`<a href="${s.href}">${s.label}</a>`,
  );
  return html`<nav class="sections" aria-label="Console">${links}</nav>`;
}

/** The page shell: one inline stylesheet, no scripts, no external assets. */
export function layout(options: LayoutOptions): HtmlFragment {
  const { refresh, scripts = [] } = options;
  // a meta refresh needs no script; where a script follows the page live, it is the no-script fallback
  const meta = refresh && html`<meta http-equiv="refresh" content="${refresh.seconds}; url=${refresh.url}">`;
  const refreshTag = meta && scripts.length > 0 ? html`<noscript>${meta}</noscript>` : meta;
  const scriptTags = scripts.map((src) => html`<script src="${src}" defer></script>`);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${refreshTag}
${scriptTags}
<title>${options.title} · ClouDO</title>
${STYLE}
${options.styles ?? ''}
</head>
<body>
<header><a class="brand" href="/api/logs">ClouDO</a>${navigation(options.section)}</header>
<main>
${options.body}
</main>
</body>
</html>
`;
}

/** A person-readable error for browser routes; the status and message come from `toErrorResponse`. */
export function renderErrorPage(status: number, message: string): HtmlFragment {
  return layout({
    title: `Error ${status}`,
    body: html`<h1>Error ${status}</h1>
<p class="error-message">${message}</p>
<p><a href="/api/logs">Back to all executions</a></p>`,
  });
}

/** A run's status as a colored pill; the class names are the status values (see STYLE). */
export function statusBadge(status: ExecutionStatus): HtmlFragment {
  return html`<span class="badge badge-${status}">${status.replace('_', ' ')}</span>`;
}

/**
 * `2026-11-27 10:11:12 UTC` in a `<time>` element; an em dash for a time not reached yet. `local` marks it
 * for the local-times script, which shows it in the reader's zone (see local-times.ts).
 */
export function timeCell(iso: string | null, local = false): HtmlFragment {
  if (iso === null) return html`<span class="muted">—</span>`;
  const ms = Date.parse(iso);
  const text = Number.isNaN(ms) ? iso : `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  return local
    ? html`<time datetime="${iso}" data-local-time>${text}</time>`
    : html`<time datetime="${iso}">${text}</time>`;
}

/** `850 ms`, `12.3 s`, `4 min 05 s`, `2 h 03 min`; an em dash before the run starts. */
/** What the console names the schema of an alert no schema handles (an unmatched alert has none). */
export const NO_SCHEMA = '(no schema)';

export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  // clocks of the host and the worker may disagree by a little
  const safeMs = Math.max(0, Math.round(ms));
  if (safeMs < 1000) return `${safeMs} ms`;
  if (safeMs < 60_000) return `${(safeMs / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(safeMs / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes} min ${String(totalSeconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** `512 B`, `3.4 KiB`, `1.2 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
