import { styledRuns } from '../core/terminal-text.js';
import type { HtmlFragment } from './html.js';
import { html } from './html.js';

/** A log as the console shows it: text escaped, colours as classes of a fixed set, no control character. */
export function logView(text: string): HtmlFragment {
  return html`${styledRuns(text).map((run) =>
    run.classes.length === 0 ? run.text : html`<span class="${run.classes.join(' ')}">${run.text}</span>`,
  )}`;
}
