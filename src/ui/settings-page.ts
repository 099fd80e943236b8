import type { HtmlFragment } from './html.js';
import { html } from './html.js';
import { layout } from './layout.js';

const STYLES = html`<style>
  dl.settings dl { margin: .25rem 0 .5rem; padding-left: .75rem; border-left: 2px solid var(--line); }
  dl.settings dt { font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
  dl.settings dd code { overflow-wrap: anywhere; white-space: pre-wrap; }
  dl.settings dt, dl.settings dd { min-width: 0; }
  @media (max-width: 640px) {
    dl.settings, dl.settings dl { grid-template-columns: 1fr; }
    dl.settings dd { margin-bottom: .5rem; }
  }
</style>`;

/** `retention.run_days` → `run days`: the API's names, readable. */
const label = (key: string) => key.replaceAll('_', ' ');

function value(v: unknown): HtmlFragment {
  if (v === null || v === undefined) return html`<span class="muted">not set</span>`;
  if (typeof v === 'boolean') return html`${v ? 'yes' : 'no'}`;
  if (typeof v === 'number') return html`<code>${v}</code>`;
  if (typeof v === 'string') return html`<code>${v}</code>`;
  if (Array.isArray(v)) {
    if (v.length === 0) return html`<span class="muted">none</span>`;
    return html`<ul>${v.map((item) => html`<li>${value(item)}</li>`)}</ul>`;
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v);
    if (entries.length === 0) return html`<span class="muted">none</span>`;
    return html`<dl>${entries.map(([k, item]) => html`<dt>${label(k)}</dt><dd>${value(item)}</dd>`)}</dl>`;
  }
  return html`<code>${String(v)}</code>`;
}

/**
 * `GET /api/console/settings`: the effective settings as `GET /api/settings` gives them (secrets already
 * replaced by whether they are set), as nested definition lists.
 */
export function renderSettingsPage(settings: Record<string, unknown>): HtmlFragment {
  const sections = Object.entries(settings).map(([key, v]) => html`<dt>${label(key)}</dt><dd>${value(v)}</dd>`);
  return layout({
    title: 'Settings',
    section: 'settings',
    styles: STYLES,
    body: html`<h1>Settings</h1>
<p class="muted">The settings this app instance runs with, read at start-up. Secrets show only whether they are set. Change them in the app settings (or the Terraform module) and restart.</p>
<dl class="settings" id="settings">${sections}</dl>`,
  });
}
