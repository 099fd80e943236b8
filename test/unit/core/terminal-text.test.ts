import { describe, expect, it } from 'vitest';
import { stripTerminalControls, styledRuns } from '../../../src/core/terminal-text.js';

const ESC = '\x1b';

describe('stripTerminalControls', () => {
  it.each([
    ['an OSC 52 clipboard write', `${ESC}]52;c;cm0gLXJmIH4=${ESC}\\`],
    ['a window title', `${ESC}]0;pwned\x07`],
    ['screen clears and cursor moves', `${ESC}[2J${ESC}[H${ESC}[1A${ESC}[5;5H`],
    ['a hidden-text mode', `${ESC}[8m`.replace('8m', '?25l')],
    ['an 8-bit CSI (C1)', '\u009b2J'],
    ['a DCS string', `${ESC}Pq#0;2;0;0;0${ESC}\\`],
    ['a bell and a backspace', '\x07\x08'],
  ])('removes %s', (_what, sequence) => {
    expect(stripTerminalControls(`before ${sequence}after\n`)).toBe('before after\n');
  });

  it('keeps colours, tabs, newlines and CRLF, and drops a bare carriage return that would overwrite a line', () => {
    expect(stripTerminalControls(`${ESC}[1;31mred${ESC}[0m\tok\r\nrm -rf /\rls\n`)).toBe(
      `${ESC}[1;31mred${ESC}[0m\tok\r\nrm -rf /ls\n`,
    );
  });

  it('removes a lone escape at the very end, and the byte a terminal would take with one elsewhere', () => {
    expect(stripTerminalControls(`tail${ESC}`)).toBe('tail');
    // ESC c resets a terminal: the c goes with it
    expect(stripTerminalControls(`a${ESC}cb`)).toBe('ab');
  });

  it('keeps every printable character, non-ASCII included', () => {
    const text = 'héllo wörld — ✓ 日本 <b>&amp;</b>\n';
    expect(stripTerminalControls(text)).toBe(text);
  });
});

describe('styledRuns', () => {
  it('turns SGR colours into runs with classes of a fixed set', () => {
    expect(styledRuns(`plain ${ESC}[1;31mbold red${ESC}[22m red ${ESC}[44;97mon blue${ESC}[0m end`)).toEqual([
      { text: 'plain ', classes: [] },
      { text: 'bold red', classes: ['ansi-bold', 'ansi-fg-1'] },
      { text: ' red ', classes: ['ansi-fg-1'] },
      { text: 'on blue', classes: ['ansi-fg-15', 'ansi-bg-4'] },
      { text: ' end', classes: [] },
    ]);
  });

  it('leaves no escape in any run, whatever the output', () => {
    const runs = styledRuns(`${ESC}]0;t\x07a${ESC}[2Jb${ESC}[38;2;1;2;3mc\u009b1Ad`);
    expect(runs.map((r) => r.text).join('')).toBe('abcd');
  });
});
