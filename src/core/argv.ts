/**
 * Splits a schema's `run_args` into argv the way a POSIX shell splits words, without ever running a
 * shell: quotes group, backslashes escape, and everything else (`;`, `|`, `$VAR`, `$(...)`, globs) is
 * passed through literally. Hand-written because the usual libraries (shell-quote) turn operators into
 * tokens or expand variables, which is exactly what a runbook argument must never do.
 */

export class ArgvSyntaxError extends Error {
  override readonly name = 'ArgvSyntaxError';
}

export function splitArgs(input: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;

  for (let i = 0; i < input.length; i++) {
    const ch = input.charAt(i);
    if (quote === "'") {
      if (ch === "'") quote = null;
      else word += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === '\\' && i + 1 < input.length && '"\\$`\n'.includes(input.charAt(i + 1))) {
        i++;
        if (input.charAt(i) !== '\n') word += input.charAt(i);
      } else word += ch;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '\\') {
      if (i + 1 >= input.length) throw new ArgvSyntaxError('run_args ends with a lone backslash');
      i++;
      // backslash-newline is a line continuation, as in sh
      if (input.charAt(i) !== '\n') word += input.charAt(i);
    } else word += ch;
  }
  if (quote) throw new ArgvSyntaxError(`run_args has an unterminated ${quote === "'" ? 'single' : 'double'} quote`);
  if (inWord) words.push(word);
  return words;
}
