import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw } from '../../../src/ui/html.js';

describe('html', () => {
  it.each([
    ['&', '&amp;'],
    ['<', '&lt;'],
    ['>', '&gt;'],
    ['"', '&quot;'],
    ["'", '&#39;'],
  ])('escapes %s in a value', (char, entity) => {
    expect(html`<p>${`a${char}b`}</p>`.toString()).toBe(`<p>a${entity}b</p>`);
  });

  it('escapes every special character of one value, ampersands first', () => {
    expect(html`${`&lt; <a href="x" title='y'>`}`.toString()).toBe(
      '&amp;lt; &lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;',
    );
  });

  it('keeps a <script> in a value as text', () => {
    const out = html`<pre>${'<script>alert(1)</script>'}</pre>`.toString();
    expect(out).toBe('<pre>&lt;script&gt;alert(1)&lt;/script&gt;</pre>');
    expect(out).not.toContain('<script');
  });

  it('keeps a value from leaving a quoted attribute', () => {
    const out = html`<a href="${'x" onclick="alert(1)'}">`.toString();
    expect(out).toBe('<a href="x&quot; onclick=&quot;alert(1)">');
  });

  it('leaves the literal parts of the template as written', () => {
    expect(html`<b class="x">'&'</b>`.toString()).toBe(`<b class="x">'&'</b>`);
  });

  it('renders numbers and nothing for null, undefined and false', () => {
    expect(html`${0}|${42}|${null}|${undefined}|${false}|${''}`.toString()).toBe('0|42||||');
  });

  it('nests fragments without escaping them twice', () => {
    const inner = html`<i>${'a&b'}</i>`;
    expect(html`<p>${inner}</p>`.toString()).toBe('<p><i>a&amp;b</i></p>');
    expect(html`<div>${html`<p>${inner}</p>`}</div>`.toString()).toBe('<div><p><i>a&amp;b</i></p></div>');
  });

  it('joins arrays of fragments as they are, and escapes strings inside arrays', () => {
    const items = ['<1>', '<2>'].map((v) => html`<li>${v}</li>`);
    expect(html`<ul>${items}</ul>`.toString()).toBe('<ul><li>&lt;1&gt;</li><li>&lt;2&gt;</li></ul>');
    expect(html`${['<x>', [html`<y>`, null, false]]}`.toString()).toBe('&lt;x&gt;<y>');
    expect(html`<ul>${[]}</ul>`.toString()).toBe('<ul></ul>');
  });

  it('trusts raw() markup and only that', () => {
    const trusted = raw('<hr>');
    expect(html`${trusted}${'<hr>'}`.toString()).toBe('<hr>&lt;hr&gt;');
  });

  it('does not take a look-alike object for a fragment', () => {
    const fake = { toString: () => '<script>alert(1)</script>' };
    // @ts-expect-error only fragments made by html or raw are trusted, and the type says so
    expect(html`${fake}`.toString()).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('escapeHtml leaves plain text alone', () => {
    expect(escapeHtml('plain text 123 é')).toBe('plain text 123 é');
  });
});
