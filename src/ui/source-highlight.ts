import type { HtmlFragment } from './html.js';
import { html } from './html.js';

/** The languages the runbook page colours; anything else is shown as plain text. */
export type SourceLanguage = 'bash' | 'python' | 'text';

type TokenKind = 'comment' | 'string' | 'keyword' | 'variable';

const BASH_KEYWORDS =
  'if then else elif fi for while until do done case esac in function select return local export readonly declare set shift exit break continue trap source'.split(
    ' ',
  );

const PYTHON_KEYWORDS =
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  );

/**
 * One regular expression per language, one named group per token kind, tried left to right: whichever
 * starts first wins, so a `#` inside a string stays string and a quote inside a comment stays comment.
 * Approximate on purpose (no here-documents, no nested `$(...)` quoting): it colours, it never decides
 * what is shown, and every character is escaped whatever the token.
 */
const GRAMMARS: Record<Exclude<SourceLanguage, 'text'>, RegExp> = {
  bash: new RegExp(
    [
      // a word-starting `#` only: `$#` and `${#var}` are not comments
      String.raw`(?<comment>(?<![^\s;&|()])#.*)`,
      String.raw`(?<string>\$?'[^']*'?|"(?:[^"\\]|\\[\s\S])*"?)`,
      String.raw`(?<variable>\$\{[^}\n]*\}?|\$(?:[A-Za-z_][A-Za-z0-9_]*|[0-9#?$!@*-]))`,
      String.raw`(?<keyword>(?<![\w.-])(?:${BASH_KEYWORDS.join('|')})(?![\w.-]))`,
    ].join('|'),
    'g',
  ),
  python: new RegExp(
    [
      '(?<comment>#.*)',
      String.raw`(?<string>(?:[rRbBuUfF]{1,2})?(?:"""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$)|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?))`,
      String.raw`(?<keyword>\b(?:${PYTHON_KEYWORDS.join('|')})\b)`,
    ].join('|'),
    'g',
  ),
};

/** The language of a runbook, from its file name and else its `#!` line. */
export function sourceLanguage(path: string, source: string): SourceLanguage {
  if (/\.(?:sh|bash)$/i.test(path)) return 'bash';
  if (/\.py$/i.test(path)) return 'python';
  const shebang = /^#!(.*)/.exec(source)?.[1] ?? '';
  if (/\b(?:ba)?sh\b/.test(shebang)) return 'bash';
  if (/\bpython[0-9.]*\b/.test(shebang)) return 'python';
  return 'text';
}

function tokenKind(groups: Record<string, string | undefined>): TokenKind {
  if (groups.comment !== undefined) return 'comment';
  if (groups.string !== undefined) return 'string';
  if (groups.variable !== undefined) return 'variable';
  return 'keyword';
}

/**
 * The source as markup: plain text escaped, each comment, string, keyword and variable in a
 * `<span class="tok-…">` whose content is escaped too. Nothing of the source becomes markup.
 */
export function highlightSource(source: string, language: SourceLanguage): HtmlFragment {
  if (language === 'text') return html`${source}`;
  const grammar = new RegExp(GRAMMARS[language]);
  const parts: HtmlFragment[] = [];
  let at = 0;
  for (const match of source.matchAll(grammar)) {
    if (match[0] === '') continue;
    parts.push(
      html`${source.slice(at, match.index)}<span class="tok-${tokenKind(match.groups ?? {})}">${match[0]}</span>`,
    );
    at = match.index + match[0].length;
  }
  parts.push(html`${source.slice(at)}`);
  return html`${parts}`;
}
