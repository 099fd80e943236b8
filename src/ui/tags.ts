import type { HtmlFragment } from './html.js';
import { html } from './html.js';

/** A schema's tags as small labels (the original ClouDO's `tags`); null when it has none. */
export function tagList(tags: readonly string[]): HtmlFragment | null {
  if (tags.length === 0) return null;
  return html` <ul class="tags" aria-label="tags">${tags.map((tag) => html`<li>${tag}</li>`)}</ul>`;
}
