const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const SPECIAL_CHARS = /[&<>"']/g;

/** Text made safe inside element content and inside quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(SPECIAL_CHARS, (char) => ENTITIES[char] ?? char);
}

/**
 * Markup that is safe to send: produced by `html` (every value escaped) or vouched for by `raw`.
 * Only the type is exported; the `#markup` field makes it nominal, so no other object passes for one.
 */
class HtmlFragment {
  readonly #markup: string;

  constructor(markup: string) {
    this.#markup = markup;
  }

  toString(): string {
    return this.#markup;
  }
}

export type { HtmlFragment };

/**
 * What may go into an `html` template. Strings and numbers are escaped; fragments pass as they are;
 * `false`, `null` and `undefined` render nothing (so `cond && html\`...\`` works); arrays render each item.
 */
export type HtmlValue = HtmlFragment | string | number | false | null | undefined | readonly HtmlValue[];

// Array.isArray alone narrows a readonly array to any[]
function isList(value: HtmlValue): value is readonly HtmlValue[] {
  return Array.isArray(value);
}

function render(value: HtmlValue): string {
  if (value instanceof HtmlFragment) return value.toString();
  if (value === null || value === undefined || value === false) return '';
  if (isList(value)) return value.map(render).join('');
  // anything else, even an object that only looks like a fragment, is text
  return escapeHtml(String(value));
}

/**
 * Tagged template for pages: the literal parts are our markup, every interpolated value is escaped.
 * Put values in attributes only between double quotes (`href="${url}"`); escaping cannot make an
 * unquoted attribute or a `javascript:` URL safe.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): HtmlFragment {
  let markup = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) {
    markup += render(values[i]) + (strings[i + 1] ?? '');
  }
  return new HtmlFragment(markup);
}

/**
 * Trusts `markup` as it is. Only for markup written in this codebase, never for runbook output, alert
 * fields, schema fields or anything a request carried. Every call is a place a reviewer must read.
 */
export function raw(markup: string): HtmlFragment {
  return new HtmlFragment(markup);
}
