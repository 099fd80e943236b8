/**
 * Runbook output read back as text. Runbooks echo alert text, and a terminal obeys escape sequences: an
 * OSC 52 writes the reader's clipboard, others retitle the window, move the cursor or hide lines with a
 * bare carriage return. What is shown or served as text keeps only what cannot act: printable characters,
 * newlines, tabs, and the colours of SGR sequences (`ESC [ … m`). Pure.
 */

// biome-ignore-start lint/suspicious/noControlCharactersInRegex: matching control characters is the point
/** One escape sequence: CSI (`ESC [ … final`), OSC (`ESC ] … BEL|ESC \`), DCS/APC/PM/SOS strings, or a two-byte escape. */
const ESCAPE =
  /\x1b\[[0-?]*[ -/]*[@-~]|\x1b[\]P_^X][\s\S]*?(?:\x07|\x1b\\|$)|\x1b[@-Z\\-_]|\x1b[ -/]*[0-~]?|\x9b[0-?]*[ -/]*[@-~]/g;
/** Colour and style only: `ESC [` digits and `;` then `m`. */
const SGR = /^\x1b\[[0-9;]*m$/;
/** C0 controls but tab and newline, DEL, and the C1 range; a carriage return is kept only before a newline. */
const CONTROL = /\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9f]/g;
const SGR_ANYWHERE = /\x1b\[([0-9;]*)m/g;
// biome-ignore-end lint/suspicious/noControlCharactersInRegex: see above

/** The patterns, for the console's script, which applies the same rules in the browser. */
export const TERMINAL_PATTERNS = {
  escape: ESCAPE.source,
  sgr: SGR.source,
  control: CONTROL.source,
  sgrAnywhere: SGR_ANYWHERE.source,
} as const;

/** The text with every escape sequence but SGR colours removed, and the control characters that act. */
export function stripTerminalControls(text: string): string {
  return text.replace(ESCAPE, (sequence) => (SGR.test(sequence) ? sequence : '')).replace(CONTROL, '');
}

/** A run of text with the colours in force. */
export interface StyledText {
  readonly text: string;
  /** Class names from a fixed set (`ansi-bold`, `ansi-fg-1`, `ansi-bg-4`...), never from the output itself. */
  readonly classes: readonly string[];
}

export interface Style {
  bold: boolean;
  fg: number | null;
  bg: number | null;
}

/** The output as runs of text with their colours (SGR 0, 1, 22, 30-37, 39, 40-47, 49, 90-97, 100-107). */
export function styledRuns(text: string): StyledText[] {
  const runs: StyledText[] = [];
  const style: Style = { bold: false, fg: null, bg: null };
  const push = (part: string) => {
    if (part !== '') runs.push({ text: part, classes: styleClasses(style) });
  };
  let last = 0;
  const clean = stripTerminalControls(text);
  for (const match of clean.matchAll(SGR_ANYWHERE)) {
    push(clean.slice(last, match.index));
    last = match.index + match[0].length;
    applySgr(style, match[1] ?? '');
  }
  push(clean.slice(last));
  return runs;
}

/** The classes of a style, from a fixed set. Self-contained, like applySgr: the console's script embeds it. */
export function styleClasses(style: Style): string[] {
  const classes: string[] = [];
  if (style.bold) classes.push('ansi-bold');
  if (style.fg !== null) classes.push(`ansi-fg-${style.fg}`);
  if (style.bg !== null) classes.push(`ansi-bg-${style.bg}`);
  return classes;
}

/**
 * Applies one SGR sequence's parameters to the style in force. Self-contained on purpose: the console's
 * script embeds its source (Function.prototype.toString), so the browser follows the same rules.
 */
export function applySgr(style: Style, params: string): void {
  for (const code of (params === '' ? '0' : params).split(';').map(Number)) {
    if (code === 0) Object.assign(style, { bold: false, fg: null, bg: null });
    else if (code === 1) style.bold = true;
    else if (code === 22) style.bold = false;
    else if (code >= 30 && code <= 37) style.fg = code - 30;
    else if (code >= 90 && code <= 97) style.fg = code - 90 + 8;
    else if (code === 39) style.fg = null;
    else if (code >= 40 && code <= 47) style.bg = code - 40;
    else if (code >= 100 && code <= 107) style.bg = code - 100 + 8;
    else if (code === 49) style.bg = null;
  }
}
