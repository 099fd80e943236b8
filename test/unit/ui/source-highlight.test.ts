import { describe, expect, it } from 'vitest';
import { highlightSource, sourceLanguage } from '../../../src/ui/index.js';

const tokens = (markup: string, kind: string) =>
  [...markup.matchAll(new RegExp(`<span class="tok-${kind}">(.*?)</span>`, 'gs'))].map((m) => m[1]);

describe('highlightSource', () => {
  it('marks bash comments, strings, variables and keywords, and leaves $# and a length expansion out of comments', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash length expansion, as a runbook writes it
    const src = 'if [ "$#" -gt 0 ]; then # count\n  echo \'a # b\' ${#list} $HOME\nfi\n';
    const out = highlightSource(src, 'bash').toString();
    expect(tokens(out, 'comment')).toEqual(['# count']);
    expect(tokens(out, 'string')).toEqual(['&quot;$#&quot;', '&#39;a # b&#39;']);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the same bash expansion
    expect(tokens(out, 'variable')).toEqual(['${#list}', '$HOME']);
    expect(tokens(out, 'keyword')).toEqual(['if', 'then', 'fi']);
  });

  it('marks python comments, strings of every quoting and keywords', () => {
    const src = 'def main():\n    """doc # not a comment"""\n    x = f\'{y}\'  # note\n    return None\n';
    const out = highlightSource(src, 'python').toString();
    expect(tokens(out, 'comment')).toEqual(['# note']);
    expect(tokens(out, 'string')).toEqual([
      '&quot;&quot;&quot;doc # not a comment&quot;&quot;&quot;',
      'f&#39;{y}&#39;',
    ]);
    expect(tokens(out, 'keyword')).toEqual(['def', 'return', 'None']);
  });

  it('escapes markup in every token and between tokens, and loses no character', () => {
    const src = '#!/bin/bash\n# </code></pre><script>alert(1)</script>\necho "<img src=x onerror=alert(1)>" <b>&amp;\n';
    for (const language of ['bash', 'python', 'text'] as const) {
      const out = highlightSource(src, language).toString();
      expect(out).not.toMatch(/<(?!\/?span)/);
      const text = out.replace(/<\/?span[^>]*>/g, '');
      const decoded = text.replace(
        /&(lt|gt|quot|#39|amp);/g,
        (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e] ?? '',
      );
      expect(decoded).toBe(src);
    }
  });

  it('tells the language by the extension, then the #! line', () => {
    expect(sourceLanguage('a/disk.sh', '')).toBe('bash');
    expect(sourceLanguage('tool.py', '#!/bin/bash')).toBe('python');
    expect(sourceLanguage('restart', '#!/usr/bin/env bash\n')).toBe('bash');
    expect(sourceLanguage('restart', '#!/usr/bin/env python3\n')).toBe('python');
    expect(sourceLanguage('notes.txt', 'hello')).toBe('text');
  });
});
